// The probe an echo server sends back unchanged. Plain text, so students can
// read it in tshark, and an upper-case server still answers recognisably.
const PROBE = /^socklab-ping (\d{1,9}) (\d{1,16})$/i;

/** What a probe carries: its sequence number and the sender's clock (epoch ms). */
export interface Probe {
  readonly seq: number;
  readonly sentAtEpochMs: number;
}

/**
 * The text of probe `seq`: `socklab-ping SEQ SENDTIME`.
 * @example
 * ```ts
 * import { formatProbe, parseProbe } from "./ping_probe.ts";
 * const probe = parseProbe(formatProbe({ seq: 3, sentAtEpochMs: 1700000000000 }));
 * if (probe?.seq !== 3) throw new Error("round trip failed");
 * ```
 */
export function formatProbe(probe: Probe): string {
  return `socklab-ping ${probe.seq} ${probe.sentAtEpochMs}`;
}

/** Reads a probe back from a reply; `undefined` when it is not one. */
export function parseProbe(text: string): Probe | undefined {
  const match = PROBE.exec(text);
  if (!match) return undefined;
  return { seq: Number(match[1]), sentAtEpochMs: Number(match[2]) };
}
