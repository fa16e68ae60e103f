/** Mebibyte: sizes print in binary units, as iperf prints transfers. */
const MIB = 1024 * 1024;

/**
 * Formats a byte count the way iperf prints a transfer: `512 B`, `12.3 KiB`, `456.7 MiB`.
 * @example
 * ```ts
 * import { formatBytes } from "./units.ts";
 * if (formatBytes(3 * 1024 * 1024) !== "3.0 MiB") throw new Error();
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MIB) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${(bytes / (1024 * MIB)).toFixed(2)} GiB`;
}

/** Bits per second for `bytes` moved in `seconds`; 0 for an empty span. */
export function bitsPerSecond(bytes: number, seconds: number): number {
  return seconds > 0 ? (bytes * 8) / seconds : 0;
}

/**
 * Formats a rate in decimal megabits per second, as iperf and link speeds do:
 * `452.1 Mbit/s`.
 */
export function formatMbits(bitsPerSecond: number): string {
  return `${(bitsPerSecond / 1e6).toFixed(1)} Mbit/s`;
}

/** Formats an interval's bounds like iperf: `[  1.0-  2.0 s]`. */
export function formatSpan(startSeconds: number, endSeconds: number): string {
  const f = (n: number) => n.toFixed(1).padStart(5);
  return `[${f(startSeconds)}-${f(endSeconds)} s]`;
}

/**
 * A bench report as one line of JSON, fractions cut to 4 decimals: scripts
 * need the figures, not the float noise.
 */
export function reportJson(report: unknown): string {
  return JSON.stringify(
    report,
    (_key, value) =>
      typeof value === "number" && !Number.isInteger(value) ? Number(value.toFixed(4)) : value,
  );
}
