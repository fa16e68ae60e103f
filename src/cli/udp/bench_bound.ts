import { UsageError } from "../../errors/mod.ts";
import { datagramsFor, type UdpBenchCount, type UdpThroughputResult } from "../../measure/mod.ts";

export type { UdpBenchCount };

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

/**
 * The usage error of a run whose `--size` no UDP datagram to its server can
 * carry (the engine's `too large`): what the limit is, for that IP version.
 */
export function sizeOverLimit(
  result: Pick<UdpThroughputResult, "limitBytes" | "datagramBytes">,
  where: string,
): UsageError {
  return new UsageError(
    `--size must be at most ${result.limitBytes} bytes for one UDP datagram to ${where}, got '${result.datagramBytes}'`,
  );
}
