import { escapeControl, lenientText } from "../bytes/mod.ts";
import { type Catalogue, say } from "./lang/mod.ts";

const strict = new TextDecoder("utf-8", { fatal: true });

// Printable UTF-8 with only the line-ending controls reads fine as text; anything else gets hex too.
// A head cut from a longer stream may end inside a character, which is no fault of the text.
function isPlainText(bytes: Uint8Array, cut: boolean): boolean {
  try {
    const text = cut
      ? new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true })
      : strict.decode(bytes);
    // deno-lint-ignore no-control-regex
    return !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text);
  } catch {
    return false;
  }
}

function hexOf(bytes: Uint8Array, max: number, cut: boolean): string {
  const shown = [...bytes.subarray(0, max)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  return bytes.length > max || cut ? `${shown} ...` : shown;
}

/**
 * Shows bytes from the wire in a report: quoted, with `\n`, `\r`, `\t`
 * spelled out and other control characters escaped, long ones cut with their
 * size, and the first bytes in hex when they are not plain text (a length
 * prefix, say). `totalBytes`, when more than `bytes` holds, is the size of
 * the stream `bytes` is the head of: the size shown.
 */
export function showWire(
  bytes: Uint8Array,
  words: Catalogue["wire"],
  maxChars = 64,
  totalBytes = bytes.length,
): string {
  if (totalBytes === 0) return words.nothing;
  const text = lenientText(
    bytes.length > maxChars * 4 ? bytes.subarray(0, maxChars * 4) : bytes,
  );
  const escaped = escapeControl(
    text.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
      .replace(/\t/g, "\\t"),
  );
  const partial = totalBytes > bytes.length;
  const cut = escaped.length > maxChars || partial
    ? `${escaped.slice(0, maxChars)}..."`
    : `${escaped}"`;
  const size = ` ${totalBytes > 1 ? say(words.bytes, { count: totalBytes }) : words.oneByte}`;
  const hex = isPlainText(bytes, partial) ? "" : `, ${words.hex} ${hexOf(bytes, 16, partial)}`;
  return `"${cut}${size}${hex}`;
}
