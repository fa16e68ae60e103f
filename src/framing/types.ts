/**
 * Receives each complete frame; the bytes belong to the receiver. Returning
 * `true` (only that) stops the decoder after this frame, so a receiver whose replies pile
 * up can handle the rest of a chunk later.
 */
export type FrameSink = (frame: Uint8Array) => unknown;

/** Receives the wire bytes of `frames` complete frames, back to back. */
export type WireSink = (wire: Uint8Array, frames: number) => void;

/**
 * An incremental decoder: feed it chunks exactly as they came off the socket,
 * it emits every complete frame and keeps the partial rest.
 */
export interface FrameDecoder {
  /**
   * Decodes `chunk`, calling `emit` for each frame it completes, in order.
   * Frames completed before a violation are emitted before it throws.
   * @returns How many bytes of `chunk` it took: all of them, unless `emit`
   * returned `true`; the caller pushes the rest when it is ready for more.
   * @throws {FramingError} `FRAME_TOO_LARGE` when a frame exceeds the maximum.
   */
  push(chunk: Uint8Array, emit: FrameSink): number;
  /**
   * Decodes `chunk` exactly as `push` does, but hands back, for an echo, the
   * wire bytes `reframe` would give for each completed frame. Frames that lie
   * whole and unaltered in `chunk` come back as one view of it per run, so a
   * batch costs no copy and no per-frame object.
   * @throws {FramingError} as `push` does, after handing back the runs before the violation.
   */
  pushWire(chunk: Uint8Array, sink: WireSink): void;
  /**
   * How many frames `chunk` holds when it is nothing but whole frames that
   * `pushWire` would hand back as they are, in one run, with nothing held from
   * earlier chunks; otherwise 0. It decodes nothing: after 0, the chunk goes to
   * `pushWire`. An echo's usual chunk (one line typed, one reply) then goes
   * straight back. Optional, so a decoder written elsewhere need not have it.
   */
  wholeFrames?(chunk: Uint8Array): number;
  /**
   * Ends the input. Returns a final frame the input ended in the middle of,
   * where the framing allows one, or `undefined`.
   * @throws {FramingError} `TRUNCATED_FRAME` when the input stopped inside a frame.
   */
  finish(): Uint8Array | undefined;
  /**
   * Copies the bytes held for an unfinished frame out of the chunks they came
   * in, when there are at most `maxBytes` of them, so the memory of those
   * chunks may be reused. Returns whether the decoder now refers to no chunk.
   */
  detach(maxBytes: number): boolean;
  /** Bytes held for a frame not yet complete. */
  readonly pendingBytes: number;
}

/** A wire format for messages on a byte stream. */
export interface Framing {
  /** `"line"` or `"length"`. */
  readonly name: FramingName;
  /** Largest payload this framing accepts, in bytes. */
  readonly maxFrameBytes: number;
  /**
   * Bytes the framing adds to each payload on the wire: 1 (the newline) for
   * `line`, 4 (the length prefix) for `length`. A throughput figure counts
   * payload and framing together, as a capture shows them.
   */
  readonly overheadBytes: number;
  /**
   * Returns the bytes that carry `payload` on the wire; text is sent as UTF-8.
   * @throws {FramingError} when the payload is too large or cannot be framed.
   */
  encode(payload: Uint8Array | string): Uint8Array;
  /**
   * Returns the wire bytes for a frame this framing's own decoder produced,
   * unchanged. It skips the checks `encode` makes (the decoder already made
   * them), which matters for an echo: scanning every line twice cost a sixth
   * of a line-framed echo server's time.
   */
  reframe(frame: Uint8Array): Uint8Array;
  /** Returns a fresh decoder; one per connection. */
  createDecoder(): FrameDecoder;
}

/** The framings socklab speaks. */
export type FramingName = "line" | "length";

/** Default largest message: 64 KiB, enough for any lab message and small enough to bound memory. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
