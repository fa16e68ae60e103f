import { FramingError } from "./framing_error.ts";
import { tooLarge } from "./line_framing.ts";
import type { FrameDecoder, FrameSink, Framing } from "./types.ts";

const HEADER_BYTES = 4;

/**
 * A 4-byte big-endian unsigned length, then exactly that many payload bytes.
 * Binary-safe: any byte may appear in a payload.
 */
export class LengthFraming implements Framing {
  readonly name = "length";
  readonly maxFrameBytes: number;

  /** @param maxFrameBytes Largest payload, not counting the 4-byte header. */
  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
  }

  encode(payload: Uint8Array): Uint8Array {
    if (payload.length > this.maxFrameBytes) {
      throw tooLarge(payload.length, this.maxFrameBytes, "message");
    }
    return this.reframe(payload);
  }

  reframe(payload: Uint8Array): Uint8Array {
    // A received payload still has its prefix right in front of it (the decoder
    // keeps room for one): those bytes are already the encoding, so reuse them.
    if (payload.byteOffset >= HEADER_BYTES) {
      const wider = new Uint8Array(
        payload.buffer,
        payload.byteOffset - HEADER_BYTES,
        payload.length + HEADER_BYTES,
      );
      if (readUint32(wider, 0) === payload.length) return wider;
    }
    const out = new Uint8Array(HEADER_BYTES + payload.length);
    new DataView(out.buffer).setUint32(0, payload.length);
    out.set(payload, HEADER_BYTES);
    return out;
  }

  createDecoder(): FrameDecoder {
    return new LengthDecoder(this.maxFrameBytes);
  }
}

class LengthDecoder implements FrameDecoder {
  readonly #maxFrameBytes: number;
  readonly #header = new Uint8Array(HEADER_BYTES);
  #headerFill = 0;
  #payload: Uint8Array | null = null;
  #payloadFill = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  get pendingBytes(): number {
    // A frame in progress still owns its consumed header: 0 must mean "on a frame boundary".
    return this.#payload === null ? this.#headerFill : HEADER_BYTES + this.#payloadFill;
  }

  push(chunk: Uint8Array, emit: FrameSink): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#payload === null) {
        let size: number;
        if (this.#headerFill === 0 && chunk.length - i >= HEADER_BYTES) {
          size = readUint32(chunk, i);
          i += HEADER_BYTES;
        } else {
          const take = Math.min(HEADER_BYTES - this.#headerFill, chunk.length - i);
          this.#header.set(chunk.subarray(i, i + take), this.#headerFill);
          this.#headerFill += take;
          i += take;
          if (this.#headerFill < HEADER_BYTES) return;
          this.#headerFill = 0;
          size = readUint32(this.#header, 0);
        }
        // Checked before allocating, so a hostile prefix claiming 4 GiB costs nothing.
        if (size > this.#maxFrameBytes) {
          throw tooLarge(size, this.#maxFrameBytes, "length prefix announcing a frame");
        }
        if (chunk.length - i >= size) {
          emit(chunk.subarray(i, i + size));
          i += size;
          continue;
        }
        // Room for the prefix in front, so an echo of this frame needs no copy.
        const frame = new Uint8Array(HEADER_BYTES + size);
        new DataView(frame.buffer).setUint32(0, size);
        this.#payload = frame.subarray(HEADER_BYTES);
        this.#payloadFill = 0;
      }
      const payload = this.#payload;
      const take = Math.min(payload.length - this.#payloadFill, chunk.length - i);
      payload.set(chunk.subarray(i, i + take), this.#payloadFill);
      this.#payloadFill += take;
      i += take;
      if (this.#payloadFill === payload.length) {
        this.#payload = null;
        this.#payloadFill = 0;
        emit(payload);
      }
    }
  }

  finish(): undefined {
    if (this.#headerFill > 0) {
      throw new FramingError(
        "TRUNCATED_FRAME",
        `input ended ${this.#headerFill} bytes into a ${HEADER_BYTES}-byte length prefix`,
      );
    }
    if (this.#payload !== null) {
      throw new FramingError(
        "TRUNCATED_FRAME",
        `input ended after ${this.#payloadFill} of ${this.#payload.length} payload bytes`,
      );
    }
    return undefined;
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8)
    + bytes[at + 3]!;
}
