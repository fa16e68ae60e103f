import { AMPLIFICATION_FACTOR, UDP_IPV4_OVERHEAD } from "../udp/mod.ts";
import type { DatagramMode, ServerMode } from "./types.ts";

// RFC 864: lines of 72 characters taken from the 95 printable ASCII
// characters, each line starting one character further on, ended by CR LF.
const LINE_CHARS = 72;
const PRINTABLE_FIRST = 0x20;
const PRINTABLE_COUNT = 95;
const LINE_BYTES = LINE_CHARS + 2;
// Whole cycles of 95 lines, so every write ends where the pattern starts again
// and every client gets the same buffer. About 256 KiB per write: measured on
// loopback, smaller writes cost more system calls per byte and larger ones
// gained nothing.
const CYCLES_PER_WRITE = 37;

/** The bytes of `lines` RFC 864 lines, starting with the first line of the pattern. */
export function chargenLines(lines: number): Uint8Array {
  const bytes = new Uint8Array(lines * LINE_BYTES);
  for (let line = 0; line < lines; line++) {
    const at = line * LINE_BYTES;
    for (let i = 0; i < LINE_CHARS; i++) {
      bytes[at + i] = PRINTABLE_FIRST + ((line + i) % PRINTABLE_COUNT);
    }
    bytes[at + LINE_CHARS] = 0x0d;
    bytes[at + LINE_CHARS + 1] = 0x0a;
  }
  return bytes;
}

/** One full turn of the pattern: 95 lines, after which it repeats. */
export const CHARGEN_CYCLE_LINES = PRINTABLE_COUNT;

/**
 * The character generator service (RFC 864): sends every client the rotating
 * 72-character lines without end, as fast as it reads them, until it closes;
 * what it sends is dropped, as RFC 864 says. The lines are built once and the
 * same buffer goes to every client, so there is no work per line.
 */
export function chargenMode(): ServerMode {
  return {
    // Never called: a byte service gets every byte before any framing.
    handler: () => undefined,
    bytes: { source: chargenLines(CHARGEN_CYCLE_LINES * CYCLES_PER_WRITE) },
  };
}

// RFC 864's largest UDP answer: small enough for any path without fragmenting.
const DATAGRAM_CHARS = 512;

// Sized for IPv4, whose headers are the smaller: over IPv6 the same answer is within the limit too.
const answerChars = (requestBytes: number) =>
  Math.min(
    DATAGRAM_CHARS,
    AMPLIFICATION_FACTOR * (requestBytes + UDP_IPV4_OVERHEAD) - UDP_IPV4_OVERHEAD,
  );

/** The smallest request chargen answers with its full 512 characters: three times it, on the wire, covers them. */
export const CHARGEN_FULL_REQUEST_BYTES =
  Math.ceil((DATAGRAM_CHARS + UDP_IPV4_OVERHEAD) / AMPLIFICATION_FACTOR) - UDP_IPV4_OVERHEAD;

/**
 * The character generator over UDP (RFC 864): each datagram received, whatever
 * it holds, is answered with one datagram of pattern characters, each answer
 * starting one line further on: 512 of them (RFC 864's most) for a request of
 * {@linkcode CHARGEN_FULL_REQUEST_BYTES} bytes or more, and fewer for a smaller
 * one, so that a forged source address cannot make this server send anyone
 * more than three times the bytes the forger sent, headers included (RFC 9000
 * section 8; CVE-1999-0103 is chargen used that way): an empty request gets
 * 56. The answers are views of one buffer built at start, never copied.
 */
export function chargenDatagramMode(): DatagramMode {
  const cycle = CHARGEN_CYCLE_LINES * LINE_BYTES;
  const lines = chargenLines(CHARGEN_CYCLE_LINES + Math.ceil(DATAGRAM_CHARS / LINE_BYTES));
  let answered = 0;
  return {
    handler: (message) => {
      const start = (answered++ * LINE_BYTES) % cycle;
      const chars = answerChars(message.size);
      return lines.subarray(start, start + chars);
    },
  };
}
