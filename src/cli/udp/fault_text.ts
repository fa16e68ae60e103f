import { type FaultSettings, UdpFaults } from "../../udp/mod.ts";
import { formatDuration, printStatus } from "../mod.ts";
import { createNarrator } from "../narration/mod.ts";

/** One line saying which faults are on and the seed that repeats them. */
export function describeFaults(faults: UdpFaults): string {
  const s = faults.settings;
  const parts: string[] = [];
  if (s.dropPercent > 0) parts.push(`--drop ${s.dropPercent}% (sent and received)`);
  if (s.delayMs > 0 || s.jitterMs > 0) {
    parts.push(
      `--delay ${formatDuration(s.delayMs)}${
        s.jitterMs > 0 ? `±${formatDuration(s.jitterMs)}` : ""
      }`,
    );
  }
  if (s.dupPercent > 0) parts.push(`--dup ${s.dupPercent}%`);
  if (s.reorderPercent > 0) parts.push(`--reorder ${s.reorderPercent}%`);
  return `faults on purpose: ${parts.join(", ")}; --seed ${faults.seed} repeats them`;
}

/** One line of what the faults did. */
export function faultSummary(faults: UdpFaults): string {
  const s = faults.stats;
  const out = [
    `${s.dropped} dropped`,
    `${s.delayed} delayed`,
    `${s.duplicated} duplicated`,
    `${s.held} held back (${s.reordered} went after a later one)`,
  ];
  if (s.overflow > 0) out.push(`${s.overflow} dropped as too many were waiting`);
  if (s.unsent > 0) out.push(`${s.unsent} never sent (still waiting at the end)`);
  return `faults (--seed ${faults.seed}): of ${s.toSend} to send, ${
    out.join(", ")
  }; of ${s.received} received, ${s.droppedOnReceive} dropped`;
}

/**
 * The fault layer a script asked for with its flags, or `undefined` when it
 * asked for none; says which faults are on and the seed, on stderr. Its
 * narration follows `-v` (a line per fault) and `--json` (a JSON line each).
 */
export function startFaults(
  settings: FaultSettings | undefined,
  narration: { verbose: boolean; json: boolean },
): UdpFaults | undefined {
  if (settings === undefined) return undefined;
  const faults = new UdpFaults(
    settings,
    createNarrator({ verbose: narration.verbose, json: narration.json, hex: false }),
  );
  printStatus(describeFaults(faults));
  return faults;
}
