import type { RttSummary } from "../measure/mod.ts";

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
