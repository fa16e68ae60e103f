import { UsageError } from "../../errors/mod.ts";

/**
 * What ends a UDP bench besides its clock, as iperf3's `-n`/`-k`: a number of
 * bytes or of datagrams. A count-bounded run sends the same datagrams on
 * every PC, so with `--seed` the whole class gets the same run; a
 * time-bounded one sends what the PC managed in the time.
 */
export type UdpBenchCount = { bytes: number } | { datagrams: number };

// iperf3's K, M and G are binary for byte and block counts alike.
const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
// A day at 100 Gbit/s of the smallest datagrams is far below this; more is a typo.
const MAX_COUNT = 2 ** 40;

/**
 * Reads `--bytes` or `--blockcount` like iperf3's `-n`/`-k`: `5000`, `64K`, `2M`.
 * @throws {UsageError} naming the flag, the rule and the value.
 * @example
 * ```ts
 * import { countFlag } from "./bench_bound.ts";
 * if (countFlag("blockcount", "2K") !== 2048) throw new Error();
 * ```
 */
export function countFlag(name: string, value: string): number {
  const match = /^(\d+)([kmg]?)$/i.exec(value.trim());
  const count = match ? Number(match[1]) * UNITS[match[2]!.toLowerCase()]! : NaN;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new UsageError(
      `--${name} must be a whole number of at least 1, with K, M or G for 1024s (such as 500, 64K or 2M), got '${value}'`,
    );
  }
  return count;
}

/** How many datagrams of `unitBytes` a count stands for: a byte count rounds up, as iperf3's does. */
export function datagramsFor(count: UdpBenchCount, unitBytes: number): number {
  return "datagrams" in count ? count.datagrams : Math.ceil(count.bytes / unitBytes);
}

/** The bound for a header line: "for 3 s", "for 255 datagrams". */
export function boundWords(
  count: UdpBenchCount | undefined,
  seconds: number,
  unitBytes: number,
): string {
  if (!count) return `for ${seconds} s`;
  const datagrams = datagramsFor(count, unitBytes);
  return `for ${datagrams} datagram${datagrams === 1 ? "" : "s"}`;
}

// A count-bounded run still has a clock, for its intervals: it ends at the count, or after a day.
const COUNTED_RUN_MAX_SECONDS = 24 * 60 * 60;

/** How long the run's clock runs: the asked time, or as long as a count takes. */
export function clockSeconds(count: UdpBenchCount | undefined, seconds: number): number {
  return count ? COUNTED_RUN_MAX_SECONDS : seconds;
}
