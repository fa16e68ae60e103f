/** Round-trip statistics, the figures ping prints. */
export interface RttSummary {
  min: number;
  avg: number;
  max: number;
  /** Mean deviation, as ping computes it: sqrt(mean(x^2) - mean(x)^2). */
  mdev: number;
}

/** Summarises round-trip times in milliseconds; `undefined` when there are none. */
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

/** Formats like ping: `rtt min/avg/max/mdev = 0.041/0.052/0.077/0.011 ms`. */
export function formatRttSummary(summary: RttSummary): string {
  const f = (n: number) => n.toFixed(3);
  return `rtt min/avg/max/mdev = ${f(summary.min)}/${f(summary.avg)}/${f(summary.max)}/${
    f(summary.mdev)
  } ms`;
}

/** Formats the packet line like ping: `5 sent, 5 received, 0% loss`. */
export function formatLossLine(sent: number, received: number): string {
  const loss = sent === 0 ? 0 : ((sent - Math.min(received, sent)) / sent) * 100;
  return `${sent} sent, ${received} received, ${Number(loss.toFixed(1))}% loss`;
}
