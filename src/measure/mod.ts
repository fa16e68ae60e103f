/**
 * What the throughput lab measures with, apart from how it is shown: the
 * interval clock, the pattern an echo is checked against byte for byte, UDP's
 * sequence header and the tallies of what arrived, lost, duplicated or late,
 * and the kernel's own count of datagrams it dropped.
 * @module
 */
export { IntervalClock, yieldToEventLoop } from "./clock.ts";
export { EchoPattern, MIN_PATTERN_BYTES } from "./pattern.ts";
export { countUdpDrops, type UdpDropCounts } from "./udp_buffer_drops.ts";
export { BenchDatagrams, readBenchHeader, UDP_BENCH_HEADER_BYTES } from "./udp_header.ts";
export { type ReceiverCounts, ReceiverTally, type SeenBudget } from "./udp_receiver_tally.ts";
export { lossPercent, lostBetween, UdpTally, type UdpTallySnapshot } from "./udp_tally.ts";
