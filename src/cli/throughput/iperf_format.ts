// Report lines laid out as iperf3 prints them, so a student can put the two
// side by side: `[  1]   0.00-1.00   sec  1.72 GBytes  14.8 Gbits/sec`.
import { formatBitrate, formatTransfer } from "../../bytes/mod.ts";

export { formatBitrate, formatTransfer } from "../../bytes/mod.ts";

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
