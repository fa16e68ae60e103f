import { FramingError } from "./framing_error.ts";
import { tooLarge } from "./line_framing.ts";
import type { FrameDecoder, FrameSink, Framing, WireSink } from "./types.ts";

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
  // A frame split across chunks, assembled with its prefix in front so it is its own wire form.
  #frame: Uint8Array | null = null;
  #frameFill = 0;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  get pendingBytes(): number {
    // A frame in progress still owns its consumed header: 0 must mean "on a frame boundary".
    return this.#frame === null ? this.#headerFill : this.#frameFill;
  }

  push(chunk: Uint8Array, emit: FrameSink): void {
    let i = 0;
    while (i < chunk.length) {
      const size = this.#wholeFrameAt(chunk, i);
      if (size >= 0) {
        emit(chunk.subarray(i + HEADER_BYTES, i + HEADER_BYTES + size));
        i += HEADER_BYTES + size;
        continue;
      }
      i = this.#assemble(chunk, i);
      const frame = this.#takeAssembled();
      if (frame) emit(frame.subarray(HEADER_BYTES));
    }
  }

  pushWire(chunk: Uint8Array, sink: WireSink): void {
    let i = 0;
    let runStart = 0;
    let runFrames = 0;
    while (i < chunk.length) {
      let size: number;
      try {
        size = this.#wholeFrameAt(chunk, i);
      } catch (error) {
        if (runFrames > 0) sink(chunk.subarray(runStart, i), runFrames);
        throw error;
      }
      if (size >= 0) {
        i += HEADER_BYTES + size;
        runFrames++;
        continue;
      }
      if (runFrames > 0) sink(chunk.subarray(runStart, i), runFrames);
      i = this.#assemble(chunk, i);
      const frame = this.#takeAssembled();
      if (frame) sink(frame, 1);
      runStart = i;
      runFrames = 0;
    }
    if (runFrames > 0) {
      sink(runStart === 0 ? chunk : chunk.subarray(runStart, chunk.length), runFrames);
    }
  }

  /** The payload size of a frame lying whole in `chunk` at `i`, or -1 when there is none. */
  #wholeFrameAt(chunk: Uint8Array, i: number): number {
    if (this.#frame !== null || this.#headerFill > 0 || chunk.length - i < HEADER_BYTES) return -1;
    const size = this.#checkedSize(readUint32(chunk, i));
    return chunk.length - i - HEADER_BYTES >= size ? size : -1;
  }

  /** Copies what `chunk` holds of the frame in progress from `i`; returns where it stopped. */
  #assemble(chunk: Uint8Array, i: number): number {
    if (this.#frame === null) {
      const take = Math.min(HEADER_BYTES - this.#headerFill, chunk.length - i);
      this.#header.set(chunk.subarray(i, i + take), this.#headerFill);
      this.#headerFill += take;
      i += take;
      if (this.#headerFill < HEADER_BYTES) return i;
      this.#headerFill = 0;
      const size = this.#checkedSize(readUint32(this.#header, 0));
      this.#frame = new Uint8Array(HEADER_BYTES + size);
      this.#frame.set(this.#header);
      this.#frameFill = HEADER_BYTES;
    }
    const take = Math.min(this.#frame.length - this.#frameFill, chunk.length - i);
    this.#frame.set(chunk.subarray(i, i + take), this.#frameFill);
    this.#frameFill += take;
    return i + take;
  }

  #takeAssembled(): Uint8Array | undefined {
    const frame = this.#frame;
    if (frame === null || this.#frameFill < frame.length) return undefined;
    this.#frame = null;
    this.#frameFill = 0;
    return frame;
  }

  // Checked before allocating, so a hostile prefix claiming 4 GiB costs nothing.
  #checkedSize(size: number): number {
    if (size > this.#maxFrameBytes) {
      throw tooLarge(size, this.#maxFrameBytes, "length prefix announcing a frame");
    }
    return size;
  }

  finish(): undefined {
    if (this.#headerFill > 0) {
      throw new FramingError(
        "TRUNCATED_FRAME",
        `input ended ${this.#headerFill} bytes into a ${HEADER_BYTES}-byte length prefix`,
      );
    }
    if (this.#frame !== null) {
      throw new FramingError(
        "TRUNCATED_FRAME",
        `input ended after ${this.#frameFill - HEADER_BYTES} of ${
          this.#frame.length - HEADER_BYTES
        } payload bytes`,
      );
    }
    return undefined;
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8)
    + bytes[at + 3]!;
}
