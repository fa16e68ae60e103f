/**
 * Framing: turning a TCP byte stream into messages and back. Pure code, no
 * runtime globals, so the same tests cover it on Deno and Bun.
 * @module
 */
import { LengthFraming } from "./length_framing.ts";
import { LineFraming } from "./line_framing.ts";
import { DEFAULT_MAX_FRAME_BYTES, type Framing, type FramingName } from "./types.ts";

export { FramingError, type FramingErrorCode } from "./framing_error.ts";
export { LengthFraming } from "./length_framing.ts";
export { LineFraming } from "./line_framing.ts";
export {
  DEFAULT_MAX_FRAME_BYTES,
  type FrameDecoder,
  type FrameSink,
  type Framing,
  type FramingName,
  type WireSink,
} from "./types.ts";

/** The framing names accepted by {@linkcode createFraming}. */
export const FRAMING_NAMES: readonly FramingName[] = ["line", "length"];

/**
 * Returns the framing called `name`.
 *
 * @param name `"line"` (newline-terminated, the default everywhere) or `"length"` (4-byte prefix).
 * @param maxFrameBytes Largest payload accepted. @default {64 KiB}
 * @returns The framing, ready to encode and to create decoders.
 * @throws {RangeError} when `maxFrameBytes` is not a positive integer.
 * @example
 * ```ts
 * import { createFraming } from "./mod.ts";
 * const frames: string[] = [];
 * const decoder = createFraming("line").createDecoder();
 * decoder.push(new TextEncoder().encode("hi\nthe"), (f) => frames.push(new TextDecoder().decode(f)));
 * decoder.push(new TextEncoder().encode("re\n"), (f) => frames.push(new TextDecoder().decode(f)));
 * if (frames.join(",") !== "hi,there") throw new Error("unexpected frames");
 * ```
 */
export function createFraming(
  name: FramingName,
  maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
): Framing {
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1 || maxFrameBytes > 0xffffffff) {
    throw new RangeError(
      `Cannot frame as 'maxFrameBytes' must be an integer in [1, 4294967295]: current value is ${maxFrameBytes}`,
    );
  }
  return name === "line" ? new LineFraming(maxFrameBytes) : new LengthFraming(maxFrameBytes);
}
