// Whether a discard server's report on an up run can be what it measured.
// Anyone can answer the report request, a classmate's fake server included,
// and the bench must not print impossible figures as the receiver's.
import type { BenchReport } from "./udp_report.ts";

// Clocks on two PCs tick at rates a few parts per million apart, and the
// report is read a little after it was sent: this much room is plenty.
const SPAN_GRACE_MS = 100;

const COUNTS = ["packets", "bytes", "duplicates", "outOfOrder"] as const;
const TIMES = ["jitterMs", "spanMs"] as const;

const WORDS: Record<keyof BenchReport, string> = {
  packets: "datagrams received",
  bytes: "bytes received",
  duplicates: "duplicates",
  outOfOrder: "datagrams out of order",
  jitterMs: "ms of jitter",
  spanMs: "ms between the first and last arrival",
};

/**
 * Why `report` cannot be what a receiver counted of `sent`, `elapsedMs` after
 * the first datagram left; undefined when it can be.
 * Duplicates are counted apart from `packets` (distinct datagrams), so only
 * `packets` and `bytes` are bounded by what was sent. A receiver's times lie
 * between the first datagram leaving and its report arriving: RFC 3550
 * jitter, an average of transit-time differences, is no longer than that either.
 */
export function reportDoubt(
  report: BenchReport,
  sent: { packets: number; bytes: number },
  elapsedMs: number,
): string | undefined {
  for (const field of [...COUNTS, ...TIMES]) {
    const value = report[field];
    if (!Number.isFinite(value) || value < 0) return `${value} ${WORDS[field]}`;
  }
  for (const field of COUNTS) {
    if (!Number.isInteger(report[field])) return `${report[field]} ${WORDS[field]}`;
  }
  if (report.packets > sent.packets) {
    return `${report.packets} ${WORDS.packets} of ${sent.packets} sent`;
  }
  if (report.bytes > sent.bytes) return `${report.bytes} ${WORDS.bytes} of ${sent.bytes} sent`;
  if (report.outOfOrder > report.packets) {
    return `${report.outOfOrder} ${WORDS.outOfOrder} of ${report.packets} received`;
  }
  const limit = elapsedMs + SPAN_GRACE_MS;
  for (const field of TIMES) {
    if (report[field] > limit) {
      return `${report[field].toFixed(0)} ${WORDS[field]}, in a run of ${elapsedMs.toFixed(0)} ms`;
    }
  }
  return undefined;
}
