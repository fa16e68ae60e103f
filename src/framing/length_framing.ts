import { concatBytes, joinBytes } from "../bytes/mod.ts";
import { encodeTextInto } from "./encode_text.ts";
import { FramingError, tooLarge } from "./framing_error.ts";
import type { FrameDecoder, FrameSink, Framing, WireSink } from "./types.ts";

const HEADER_BYTES = 4;

/**
 * A 4-byte big-endian unsigned length, then exactly that many payload bytes.
 * Binary-safe: any byte may appear in a payload.
 */
export class LengthFraming implements Framing {
  readonly name = "length";
  /** The 4-byte big-endian length prefix. */
  readonly overheadBytes = 4;
  readonly maxFrameBytes: number;

  /**
   * Creates the length framing. `maxFrameBytes` is not checked here:
   * {@linkcode createFraming} checks it.
   *
   * @param maxFrameBytes Largest payload, not counting the 4-byte header.
   * @example
   * ```ts
   * import { LengthFraming } from "../../mod.ts";
   * const wire = new LengthFraming(1024).encode("hi");
   * if (wire.join(",") !== "0,0,0,2,104,105") throw new Error("unexpected encoding");
   * ```
   */
  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
  }

  encode(payload: Uint8Array | string): Uint8Array {
    if (typeof payload === "string") {
      const { frame, size } = encodeTextInto(payload, HEADER_BYTES, 0);
      if (size > this.maxFrameBytes) throw tooLarge(size, this.maxFrameBytes, "message");
      new DataView(frame.buffer).setUint32(0, size);
      return frame;
    }
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
  // The frame in progress, prefix included, as the pieces it arrived in.
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  // Bytes still missing from the frame in progress, once its prefix is known; else -1.
  #missing = -1;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  get pendingBytes(): number {
    return this.#heldBytes;
  }

  push(chunk: Uint8Array, emit: FrameSink): number {
    let i = 0;
    while (i < chunk.length) {
      const size = this.#wholeFrameAt(chunk, i);
      if (size >= 0) {
        const frame = chunk.subarray(i + HEADER_BYTES, i + HEADER_BYTES + size);
        i += HEADER_BYTES + size;
        if (emit(frame) === true) return i;
        continue;
      }
      i = this.#hold(chunk, i);
      if (this.#missing !== 0) continue;
      // Joined with its prefix in front, so an echo of it needs no copy.
      const frame = joinBytes(this.#held, this.#heldBytes);
      this.#release();
      if (emit(frame.subarray(HEADER_BYTES)) === true) return i;
    }
    return chunk.length;
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
      // Only the first frame of a chunk can have begun earlier: the run is empty here.
      const continued = this.#heldBytes > 0;
      if (runFrames > 0) sink(chunk.subarray(runStart, i), runFrames);
      i = this.#hold(chunk, i);
      if (this.#missing !== 0) return;
      // Complete: the pieces from earlier chunks go back uncopied, and the
      // last one, in this chunk, opens the run.
      const pieces = this.#held;
      this.#release();
      if (continued) { for (let p = 0; p < pieces.length - 1; p++) sink(pieces[p]!, 0); }
      runStart = i - pieces[pieces.length - 1]!.length;
      runFrames = 1;
    }
    if (runFrames > 0) {
      sink(runStart === 0 ? chunk : chunk.subarray(runStart, chunk.length), runFrames);
    }
  }

  wholeFrames(chunk: Uint8Array): number {
    if (this.#heldBytes > 0) return 0;
    let frames = 0;
    for (let i = 0; i < chunk.length; frames++) {
      if (chunk.length - i < HEADER_BYTES) return 0;
      const size = readUint32(chunk, i);
      // An oversize prefix is refused by pushWire, which says so.
      if (size > this.#maxFrameBytes) return 0;
      i += HEADER_BYTES + size;
      if (i > chunk.length) return 0;
    }
    return frames;
  }

  detach(maxBytes: number): boolean {
    if (this.#heldBytes > maxBytes) return false;
    if (this.#heldBytes > 0) this.#held = [concatBytes(this.#held, this.#heldBytes)];
    return true;
  }

  /** The payload size of a frame lying whole in `chunk` at `i`, or -1 when there is none. */
  #wholeFrameAt(chunk: Uint8Array, i: number): number {
    if (this.#heldBytes > 0 || chunk.length - i < HEADER_BYTES) return -1;
    const size = this.#checkedSize(readUint32(chunk, i));
    return chunk.length - i - HEADER_BYTES >= size ? size : -1;
  }

  /** Keeps what `chunk` holds of the frame in progress from `i`; returns where that ends. */
  #hold(chunk: Uint8Array, i: number): number {
    let take: number;
    if (this.#missing < 0) {
      const headerPart = Math.min(HEADER_BYTES - this.#headerFill, chunk.length - i);
      this.#header.set(chunk.subarray(i, i + headerPart), this.#headerFill);
      this.#headerFill += headerPart;
      if (this.#headerFill < HEADER_BYTES) {
        take = headerPart;
      } else {
        const size = this.#checkedSize(readUint32(this.#header, 0));
        this.#headerFill = 0;
        this.#missing = headerPart + size;
        take = Math.min(this.#missing, chunk.length - i);
        this.#missing -= take;
      }
    } else {
      take = Math.min(this.#missing, chunk.length - i);
      this.#missing -= take;
    }
    this.#held.push(chunk.subarray(i, i + take));
    this.#heldBytes += take;
    return i + take;
  }

  #release(): void {
    this.#held = [];
    this.#heldBytes = 0;
    this.#missing = -1;
  }

  // Checked before holding any payload, so a hostile prefix claiming 4 GiB costs nothing.
  #checkedSize(size: number): number {
    if (size > this.#maxFrameBytes) {
      // Nothing of a rejected frame is held.
      this.#release();
      this.#headerFill = 0;
      throw tooLarge(size, this.#maxFrameBytes, "length prefix announcing a frame");
    }
    return size;
  }

  finish(): undefined {
    if (this.#heldBytes === 0) return undefined;
    if (this.#missing < 0) {
      throw new FramingError(
        "TRUNCATED_FRAME",
        `input ended ${this.#headerFill} bytes into a ${HEADER_BYTES}-byte length prefix`,
      );
    }
    const received = this.#heldBytes - HEADER_BYTES;
    throw new FramingError(
      "TRUNCATED_FRAME",
      `input ended after ${received} of ${received + this.#missing} payload bytes`,
    );
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8)
    + bytes[at + 3]!;
}
