/**
 * Whether `a` and `b` hold the same bytes.
 * @example
 * ```ts
 * import { equalBytes } from "./equal_bytes.ts";
 * if (!equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2]))) throw new Error();
 * if (equalBytes(new Uint8Array([1]), new Uint8Array([1, 0]))) throw new Error();
 * ```
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
