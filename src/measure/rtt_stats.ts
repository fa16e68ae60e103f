/** Round-trip statistics, the figures ping prints. */
export interface RttSummary {
  /** The shortest, in milliseconds. */
  min: number;
  /** The mean, in milliseconds. */
  avg: number;
  /** The longest, in milliseconds. */
  max: number;
  /** Mean deviation, as ping computes it: sqrt(mean(x^2) - mean(x)^2). */
  mdev: number;
}

/**
 * Summarises round-trip times in milliseconds, as ping does; `undefined` when
 * there are none.
 * @example
 * ```ts
 * import { summariseRtts } from "../../mod.ts";
 * const summary = summariseRtts([1, 2, 3]);
 * if (summary?.avg !== 2 || summary.min !== 1 || summary.max !== 3) throw new Error();
 * ```
 */
export function summariseRtts(rtts: readonly number[]): RttSummary | undefined {
  if (rtts.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  for (const rtt of rtts) {
    min = Math.min(min, rtt);
    max = Math.max(max, rtt);
    sum += rtt;
    sumSquares += rtt * rtt;
  }
  const avg = sum / rtts.length;
  const mdev = Math.sqrt(Math.max(0, sumSquares / rtts.length - avg * avg));
  return { min, avg, max, mdev };
}
