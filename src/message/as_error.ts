/** Returns `thrown` as an Error: handlers may throw anything, reports need a message. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
