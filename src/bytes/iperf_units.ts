// Sizes and rates in the units iperf3 prints, so a student can put the two
// side by side.

const KILO = 1024;
const BYTE_UNITS = ["Bytes", "KBytes", "MBytes", "GBytes", "TBytes"] as const;
const BIT_UNITS = ["bits/sec", "Kbits/sec", "Mbits/sec", "Gbits/sec", "Tbits/sec"] as const;

// Three or four significant digits, as iperf3's unit_snprintf prints them.
function significant(value: number): string {
  if (value < 9.995) return value.toFixed(2);
  if (value < 99.95) return value.toFixed(1);
  return value.toFixed(0);
}

function scaled(value: number, base: number, units: readonly string[]): string {
  let unit = 0;
  while (value >= base * 0.9995 && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  return `${significant(value)} ${units[unit]}`;
}

/**
 * A transfer in iperf3's binary units: `512 KBytes`, `1.72 GBytes`.
 * @example
 * ```ts
 * import { formatTransfer } from "./iperf_units.ts";
 * if (formatTransfer(3 * 1024 * 1024) !== "3.00 MBytes") throw new Error();
 * ```
 */
export function formatTransfer(bytes: number): string {
  return scaled(bytes, KILO, BYTE_UNITS);
}

/**
 * A rate in iperf3's decimal units: `941 Mbits/sec`, `14.8 Gbits/sec`.
 * @example
 * ```ts
 * import { formatBitrate } from "./iperf_units.ts";
 * if (formatBitrate(14.8e9) !== "14.8 Gbits/sec") throw new Error();
 * ```
 */
export function formatBitrate(bitsPerSecond: number): string {
  return scaled(bitsPerSecond, 1000, BIT_UNITS);
}
