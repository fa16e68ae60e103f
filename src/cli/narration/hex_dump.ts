/**
 * Formats bytes the way `xxd`/`hexdump -C` do, 16 a line, with the stream
 * offset, so students can see framing bytes (0a for the newline, the 4-byte
 * length prefix) on the wire.
 *
 * @param bytes The chunk to show.
 * @param offset Where the chunk starts in its stream, for the left column.
 * @param prefix Put before every line, e.g. `"<< "` for received bytes.
 * @returns One string with a line per 16 bytes.
 * @example
 * ```ts
 * import { hexDump } from "./hex_dump.ts";
 * const dump = hexDump(new TextEncoder().encode("hi\n"), 0, "> ");
 * if (dump !== "> 00000000  68 69 0a                                          |hi.|") {
 *   throw new Error(dump);
 * }
 * ```
 */
export function hexDump(bytes: Uint8Array, offset: number, prefix: string): string {
  const lines: string[] = [];
  for (let start = 0; start < bytes.length; start += 16) {
    const row = bytes.subarray(start, start + 16);
    let hex = "";
    let ascii = "";
    for (let i = 0; i < 16; i++) {
      if (i === 8) hex += " ";
      const byte = row[i];
      if (byte === undefined) {
        hex += "   ";
        continue;
      }
      hex += `${byte.toString(16).padStart(2, "0")} `;
      ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".";
    }
    const position = (offset + start).toString(16).padStart(8, "0");
    lines.push(`${prefix}${position}  ${hex} |${ascii}|`);
  }
  return lines.join("\n");
}
