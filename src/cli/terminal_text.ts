// C0 controls (except tab), DEL and C1 controls: what a terminal may act on.
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/**
 * Makes text from the wire safe to print: control characters (escape
 * sequences, bells, carriage returns) are shown as `\xNN` so one peer cannot
 * move another's cursor, recolour or clear their terminal.
 * @example
 * ```ts
 * import { escapeControl } from "./terminal_text.ts";
 * if (escapeControl("hi\x1b[2J") !== "hi\\x1b[2J") throw new Error();
 * ```
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

const lenientUtf8 = new TextDecoder("utf-8", { fatal: false });

/** Text for display from any bytes: invalid UTF-8 shows as U+FFFD, controls escaped. */
export function displayBytes(bytes: Uint8Array): string {
  return escapeControl(lenientUtf8.decode(bytes));
}
