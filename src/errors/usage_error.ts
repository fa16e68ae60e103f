/** A mistake in how the program was called: a wrong flag or value. Exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
