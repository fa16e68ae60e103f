import { Buffer } from "node:buffer";

const SEQ_DIGITS = 10;
const HEADER_BYTES = SEQ_DIGITS + 1;
const SEQ_MODULUS = 10 ** SEQ_DIGITS;

/** Smallest bench message: the sequence number, a space and a few filler bytes. */
export const MIN_PATTERN_BYTES = 16;

/**
 * The messages a TCP bench sends: a 10-digit sequence number, a space, then
 * printable filler (no newline, so line framing carries it; readable in a
 * capture). Each echo can be checked byte for byte against what was sent.
 */
export class EchoPattern {
  readonly size: number;
  readonly #template: Uint8Array;

  /**
   * @param size Bytes per message, at least {@linkcode MIN_PATTERN_BYTES}.
   * @throws {RangeError} when `size` is smaller.
   */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < MIN_PATTERN_BYTES) {
      throw new RangeError(
        `Cannot build bench messages as 'size' must be an integer of at least ${MIN_PATTERN_BYTES}: current value is ${size}`,
      );
    }
    this.size = size;
    this.#template = new Uint8Array(size);
    this.#template[SEQ_DIGITS] = 0x20;
    // '!' to '~' in turn: a byte slipped or lost in the stream shifts the pattern visibly.
    for (let i = HEADER_BYTES; i < size; i++) this.#template[i] = 0x21 + (i % 94);
  }

  /** The message numbered `seq`. */
  message(seq: number): Uint8Array {
    const bytes = this.#template.slice();
    writeSeq(bytes, seq);
    return bytes;
  }

  /**
   * Compares an echo with message `seq`.
   * @returns -1 when every byte matches, else the offset of the first difference.
   */
  mismatch(seq: number, echo: Uint8Array): number {
    // Native comparison for the filler: a byte loop here would cost more CPU than the socket.
    if (
      echo.length === this.size && seqMatches(echo, seq)
      && Buffer.compare(echo.subarray(HEADER_BYTES), this.#template.subarray(HEADER_BYTES)) === 0
    ) {
      return -1;
    }
    const expected = this.message(seq);
    const shorter = Math.min(echo.length, expected.length);
    for (let i = 0; i < shorter; i++) if (echo[i] !== expected[i]) return i;
    return shorter;
  }
}

function seqMatches(bytes: Uint8Array, seq: number): boolean {
  let n = seq % SEQ_MODULUS;
  for (let i = SEQ_DIGITS - 1; i >= 0; i--) {
    if (bytes[i] !== 0x30 + (n % 10)) return false;
    n = Math.floor(n / 10);
  }
  return bytes[SEQ_DIGITS] === 0x20;
}

function writeSeq(bytes: Uint8Array, seq: number): void {
  let n = seq % SEQ_MODULUS;
  for (let i = SEQ_DIGITS - 1; i >= 0; i--) {
    bytes[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
}
