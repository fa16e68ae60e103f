// Built once: a decoder per call would cost an allocation on every message shown.
const lenientUtf8 = new TextDecoder("utf-8");

/**
 * Any bytes as text: invalid UTF-8 becomes U+FFFD instead of an error, for
 * showing what a peer sent whatever it was.
 * @example
 * ```ts
 * import { lenientText } from "./lenient_text.ts";
 * if (lenientText(new Uint8Array([0x68, 0xff])) !== "h\uFFFD") throw new Error();
 * ```
 */
export function lenientText(bytes: Uint8Array): string {
  return lenientUtf8.decode(bytes);
}
