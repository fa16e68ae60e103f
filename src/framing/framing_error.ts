/** Stable codes for the ways a byte stream can break its framing. */
export type FramingErrorCode =
  | "FRAME_TOO_LARGE"
  | "TRUNCATED_FRAME"
  | "INVALID_FRAME"
  | "INVALID_UTF8";

/**
 * A message that cannot be framed or unframed: too large, cut short at end of
 * input, not representable in the chosen framing, or not valid UTF-8 text.
 */
export class FramingError extends Error {
  /** Always `"FramingError"`. */
  override readonly name = "FramingError";
  /** Why framing failed; stable, for programs to test. */
  readonly code: FramingErrorCode;

  /**
   * Creates a framing error.
   *
   * @param code Stable machine-readable reason.
   * @param message One line a user can act on.
   * @example
   * ```ts
   * import { FramingError } from "../../mod.ts";
   * const error = new FramingError("TRUNCATED_FRAME", "input ended inside a message");
   * if (error.code !== "TRUNCATED_FRAME" || error.name !== "FramingError") {
   *   throw new Error("unexpected error");
   * }
   * ```
   */
  constructor(code: FramingErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Builds the FRAME_TOO_LARGE error shared by both framings. */
export function tooLarge(size: number, maxFrameBytes: number, what: string): FramingError {
  return new FramingError(
    "FRAME_TOO_LARGE",
    `${what} of ${size} bytes exceeds the limit of ${maxFrameBytes} bytes`,
  );
}
