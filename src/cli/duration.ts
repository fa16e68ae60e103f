import { escapeControl } from "../bytes/mod.ts";
import { UsageError } from "../errors/mod.ts";

// A bare number is seconds, as in nc -w, ncat --wait, ping -i and iperf3 -t.
const UNIT_MS = { "": 1000, ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h)?$/;

/**
 * Reads a duration: `500ms`, `2s`, `1.5` (a bare number is seconds), `1m`, `1h`.
 * @returns milliseconds, possibly fractional; `undefined` when `text` is not a duration.
 * @example
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * parseDuration("1.5"); // 1500
 * parseDuration("200ms"); // 200
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? "") as keyof typeof UNIT_MS];
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Shows milliseconds in the largest unit that keeps them whole: `0`, `100ms`, `2s`, `1h`.
 * @example
 * ```ts
 * import { formatDuration } from "./duration.ts";
 * formatDuration(86_400_000); // "24h"
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0";
  for (const unit of ["h", "m", "s"] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * Reads a duration flag and checks its range; the result is rounded to whole milliseconds.
 * @param name The flag without its dashes, for the message.
 * @param minMs The shortest allowed, in milliseconds.
 * @param maxMs The longest allowed, in milliseconds.
 * @returns milliseconds.
 * @throws {UsageError} naming the flag, the forms it takes, the range and the value.
 * @example
 * ```ts
 * import { durationFlag } from "./duration.ts";
 * durationFlag("interval", "0.2", 0, 3_600_000); // 200
 * ```
 */
export function durationFlag(name: string, value: string, minMs: number, maxMs: number): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < minMs || ms > maxMs) {
    throw new UsageError(
      `--${name} must be a duration such as 500ms, 2s or 1.5 (seconds), from ${
        formatDuration(minMs)
      } to ${formatDuration(maxMs)}, got '${escapeControl(value)}'`,
    );
  }
  return Math.round(ms);
}
