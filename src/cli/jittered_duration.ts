import { escapeControl } from "../bytes/mod.ts";
import { UsageError } from "../errors/mod.ts";
import { formatDuration, parseDuration } from "./duration.ts";

/** A delay with its spread: each use draws from `ms - jitterMs` to `ms + jitterMs`. */
export interface JitteredDuration {
  readonly ms: number;
  readonly jitterMs: number;
}

// `+-` for keyboards without a ± key, as netem's documentation writes it in plain text.
const JITTER_SEPARATOR = /±|\+-/;

/**
 * Reads `DURATION[±JITTER]` (`200ms`, `100ms±20ms`, `1s+-250ms`); the jitter may not
 * exceed the delay, since nothing can leave before it was sent.
 * @param name The flag without its dashes, for the message.
 * @param maxMs The longest delay allowed, in milliseconds.
 * @throws {UsageError} naming the flag, the form and the value.
 * @example
 * ```ts
 * import { jitteredDurationFlag } from "./jittered_duration.ts";
 * jitteredDurationFlag("delay", "100ms+-20ms", 10_000); // { ms: 100, jitterMs: 20 }
 * ```
 */
export function jitteredDurationFlag(name: string, value: string, maxMs: number): JitteredDuration {
  const [base = "", jitter, extra] = value.split(JITTER_SEPARATOR);
  const ms = parseDuration(base);
  const jitterMs = jitter === undefined ? 0 : parseDuration(jitter);
  if (extra !== undefined || ms === undefined || jitterMs === undefined || ms > maxMs) {
    throw new UsageError(
      `--${name} must be a duration such as 200ms or 2s (a bare number is seconds), at most ${
        formatDuration(maxMs)
      }, with an optional jitter as in 100ms±20ms or 100ms+-20ms, got '${escapeControl(value)}'`,
    );
  }
  if (jitterMs > ms) {
    throw new UsageError(
      `--${name}: the jitter (${formatDuration(jitterMs)}) may not exceed the delay (${
        formatDuration(ms)
      }), got '${escapeControl(value)}'`,
    );
  }
  return { ms: Math.round(ms), jitterMs: Math.round(jitterMs) };
}
