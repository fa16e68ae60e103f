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
  override readonly name = "FramingError";
  readonly code: FramingErrorCode;

  /**
   * @param code Stable machine-readable reason.
   * @param message One line a user can act on.
   */
  constructor(code: FramingErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
