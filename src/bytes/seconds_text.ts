/**
 * Milliseconds as the seconds a user would type: at most three decimals, no
 * trailing zeros, and the unit.
 * @example
 * ```ts
 * import { secondsText } from "./seconds_text.ts";
 * if (secondsText(1500) !== "1.5 s" || secondsText(250) !== "0.25 s") throw new Error();
 * ```
 */
export function secondsText(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
