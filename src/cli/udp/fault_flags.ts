import { type FaultSettings, MAX_SEED } from "../../udp/mod.ts";
import { integerFlag, jitteredDurationFlag, numberFlag } from "../mod.ts";

export type { FaultSettings } from "../../udp/mod.ts";

/** The flags of {@linkcode faultFlags}, for each subcommand's spec. */
export const FAULT_FLAG_SPECS = {
  drop: { type: "string", default: "0" },
  delay: { type: "string", default: "0" },
  dup: { type: "string", default: "0" },
  reorder: { type: "string", default: "0" },
  seed: { type: "string" },
} as const;

// A minute: enough to show a timeout fire, and the held datagrams stay few.
const MAX_DELAY_MS = 60_000;

/**
 * Reads `--drop`, `--delay`, `--dup`, `--reorder` and `--seed`.
 * @returns the settings, or `undefined` when no fault is asked for (then `--seed` is ignored).
 * @throws {UsageError} naming the flag, the forms it takes and the value.
 * @example
 * ```ts
 * import { faultFlags } from "./fault_flags.ts";
 * faultFlags({ drop: "20", delay: "50ms+-10ms", dup: "0", reorder: "0", seed: "7" });
 * // { dropPercent: 20, delayMs: 50, jitterMs: 10, dupPercent: 0, reorderPercent: 0, seed: 7 }
 * ```
 */
export function faultFlags(
  values: { drop: string; delay: string; dup: string; reorder: string; seed?: string },
): FaultSettings | undefined {
  const { ms: delayMs, jitterMs } = jitteredDurationFlag("delay", values.delay, MAX_DELAY_MS);
  const settings: FaultSettings = {
    dropPercent: percentFlag("drop", values.drop),
    delayMs,
    jitterMs,
    dupPercent: percentFlag("dup", values.dup),
    reorderPercent: percentFlag("reorder", values.reorder),
    seed: values.seed === undefined ? undefined : integerFlag("seed", values.seed, 0, MAX_SEED),
  };
  const any = settings.dropPercent > 0 || settings.delayMs > 0 || settings.jitterMs > 0
    || settings.dupPercent > 0 || settings.reorderPercent > 0;
  return any ? settings : undefined;
}

function percentFlag(name: string, value: string): number {
  return numberFlag(name, value.trim().replace(/%$/, ""), 0, 100);
}
