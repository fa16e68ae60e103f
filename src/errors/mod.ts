/**
 * Errors as users read them: one line naming what failed, where, and the
 * likely fix (`describeError`), and `UsageError`, the mistake in what was typed
 * (exit status 2).
 * @module
 */
export { describeError } from "./describe_error.ts";
export { UsageError } from "./usage_error.ts";
