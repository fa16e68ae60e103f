/**
 * `n` and the noun that fits it: "1 datagram", "2 datagrams".
 * @example
 * ```ts
 * import { countOf } from "./count_of.ts";
 * if (countOf(1, "try", "tries") !== "1 try") throw new Error();
 * ```
 */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
