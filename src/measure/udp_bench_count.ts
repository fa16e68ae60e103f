/**
 * What ends a UDP bench besides its clock, as iperf3's `-n`/`-k`: a number of
 * bytes or of datagrams. A count-bounded run sends the same datagrams on
 * every PC, so with `--seed` the whole class gets the same run; a
 * time-bounded one sends what the PC managed in the time.
 */
export type UdpBenchCount = { bytes: number } | { datagrams: number };

/** How many datagrams of `unitBytes` a count stands for: a byte count rounds up, as iperf3's does. */
export function datagramsFor(count: UdpBenchCount, unitBytes: number): number {
  return "datagrams" in count ? count.datagrams : Math.ceil(count.bytes / unitBytes);
}

// A count-bounded run still has a clock, for its intervals: it ends at the count, or after a day.
const COUNTED_RUN_MAX_SECONDS = 24 * 60 * 60;

/** How long the run's clock runs: the asked time, or as long as a count takes. */
export function clockSeconds(count: UdpBenchCount | undefined, seconds: number): number {
  return count ? COUNTED_RUN_MAX_SECONDS : seconds;
}
