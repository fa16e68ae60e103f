const utf8 = new TextEncoder();

/**
 * The UTF-8 bytes of a one-line notice (a welcome, why the server hangs up,
 * an error), line breaks turned into spaces and, when longer than `maxBytes`,
 * cut on a character boundary: a notice the framing could not carry would
 * otherwise throw while reporting something else.
 * @example
 * ```ts
 * import { noticeBytes } from "./notice_text.ts";
 * const cut = new TextDecoder().decode(noticeBytes("error: server full\nbye", 12));
 * if (cut !== "error: serve") throw new Error(cut);
 * ```
 */
export function noticeBytes(text: string, maxBytes: number): Uint8Array {
  const bytes = utf8.encode(/[\r\n]/.test(text) ? text.replace(/[\r\n]+/g, " ") : text);
  let end = Math.min(bytes.length, maxBytes);
  // A continuation byte (10xxxxxx) at the cut would leave half a character.
  while (end < bytes.length && end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return end === bytes.length ? bytes : bytes.subarray(0, end);
}
