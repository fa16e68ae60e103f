/**
 * What the throughput lab measures with, apart from how it is shown: the
 * interval clock, the pattern an echo is checked against byte for byte, UDP's
 * sequence header and the tallies of what arrived, lost, duplicated or late,
 * the kernel's own count of datagrams it dropped, and ping's tally of probes
 * and round-trip times.
 * @module
 */
export { IntervalClock, yieldToEventLoop } from "./clock.ts";
export { EchoPattern, MIN_PATTERN_BYTES } from "./pattern.ts";
export { PingTally, type ProbeReply } from "./ping_tally.ts";
export { type RttSummary, summariseRtts } from "./rtt_stats.ts";
export { countUdpDrops, type UdpDropCounts } from "./udp_buffer_drops.ts";
export { BenchDatagrams, readBenchHeader, UDP_BENCH_HEADER_BYTES } from "./udp_header.ts";
export { type ReceiverCounts, ReceiverTally, type SeenBudget } from "./udp_receiver_tally.ts";
export {
  type EchoVerdict,
  lossPercent,
  lostBetween,
  UdpTally,
  type UdpTallySnapshot,
} from "./udp_tally.ts";
