import { UsageError } from "../../errors/mod.ts";

const UNITS: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9 };
// Beyond any link a lab PC has; a bigger figure is a typo.
const MAX_BITS_PER_SECOND = 100e9;
// Below this a 1470-byte datagram would leave less than once a minute.
const MIN_BITS_PER_SECOND = 1e3;

/**
 * Reads a target rate like iperf's `-b`: `10M`, `500k`, `1.5G` (decimal
 * units, bits per second). A bare number means Mbit/s, since that is what
 * lab exercises quote.
 * @returns The rate in bits per second.
 * @throws {UsageError} naming the flag, the rule and the value.
 * @example
 * ```ts
 * import { parseRate } from "./rate.ts";
 * if (parseRate("rate", "500k") !== 500_000) throw new Error();
 * if (parseRate("rate", "2") !== 2_000_000) throw new Error();
 * ```
 */
export function parseRate(name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmg])?(?:bit\/s|bps)?$/i.exec(value.trim());
  const bits = match ? Number(match[1]) * UNITS[(match[2] ?? "m").toLowerCase()]! : NaN;
  if (!Number.isFinite(bits) || bits < MIN_BITS_PER_SECOND || bits > MAX_BITS_PER_SECOND) {
    throw new UsageError(
      `--${name} must be a rate from 1k to 100G bit/s such as 500k, 10M or 1G (a bare number is Mbit/s), got '${value}'`,
    );
  }
  return bits;
}
