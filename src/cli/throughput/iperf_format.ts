// Report lines laid out as iperf3 prints them, so a student can put the two
// side by side: `[  1]   0.00-1.00   sec  1.72 GBytes  14.8 Gbits/sec`.

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
 * import { formatTransfer } from "./iperf_format.ts";
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
 * import { formatBitrate } from "./iperf_format.ts";
 * if (formatBitrate(14.8e9) !== "14.8 Gbits/sec") throw new Error();
 * ```
 */
export function formatBitrate(bitsPerSecond: number): string {
  return scaled(bitsPerSecond, 1000, BIT_UNITS);
}

/** The stream column: `[  1]` for one stream, `[SUM]` for the total, with an optional tag such as `[TX]`. */
export function streamLabel(id: number | "SUM", tag?: string): string {
  const label = id === "SUM" ? "[SUM]" : `[${String(id).padStart(3)}]`;
  return tag === undefined ? label : `${label}[${tag}]`;
}

/** One iperf3 report line: stream, interval, transfer, bitrate, then any note (`sender`). */
export function iperfLine(
  label: string,
  startSeconds: number,
  endSeconds: number,
  bytes: number,
  seconds: number,
  note = "",
): string {
  const span = `${startSeconds.toFixed(2).padStart(6)}-${endSeconds.toFixed(2).padEnd(6)}`;
  const rate = formatBitrate(seconds > 0 ? (bytes * 8) / seconds : 0);
  return `${label} ${span} sec  ${formatTransfer(bytes).padStart(11)}  ${rate.padStart(15)}${
    note ? `  ${note}` : ""
  }`.trimEnd();
}

/** The header iperf3 prints above its columns. */
export function iperfHeader(labelWidth: number): string {
  return `${"[ ID]".padEnd(labelWidth)} Interval           Transfer     Bitrate`;
}
