import process from "node:process";
import { createFraming } from "../framing/mod.ts";

// Generous: a pasted paragraph is one line, but a binary file piped in by mistake is refused.
const MAX_STDIN_LINE_BYTES = 1024 * 1024;

/**
 * Yields stdin line by line (without the newline; a final unterminated line
 * too) as it is typed or piped, ending at end of input.
 */
export async function* stdinLines(): AsyncGenerator<Uint8Array> {
  const decoder = createFraming("line", MAX_STDIN_LINE_BYTES).createDecoder();
  const lines: Uint8Array[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Uint8Array>) {
    decoder.push(chunk, (line) => lines.push(line));
    yield* lines.splice(0);
  }
  const last = decoder.finish();
  if (last) yield last;
}
