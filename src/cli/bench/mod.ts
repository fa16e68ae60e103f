/**
 * The throughput lab's shared parts, used by `client.ts --bench`
 * (`src/cli/client/bench.ts`) and `udp.ts bench` (`src/cli/udp/bench.ts`):
 * the interval clock, the echo pattern that is checked byte for byte, rates
 * and units as iperf prints them, and UDP's sequence header and tally.
 * @module
 */
export { IntervalClock, yieldToEventLoop } from "./clock.ts";
export {
  formatBitrate,
  formatTransfer,
  iperfHeader,
  iperfLine,
  streamLabel,
} from "./iperf_format.ts";
export { type ConnectedSocket, iperfStart } from "./iperf_json.ts";
export { EchoPattern, MIN_PATTERN_BYTES } from "./pattern.ts";
export { ProgressLine } from "./progress.ts";
export { parseRate } from "./rate.ts";
export { countUdpDrops, type UdpDropCounts } from "./udp_buffer_drops.ts";
export { BenchDatagrams, readBenchHeader, UDP_BENCH_HEADER_BYTES } from "./udp_header.ts";
export { type ReceiverCounts, ReceiverTally, type SeenBudget } from "./udp_receiver_tally.ts";
export {
  type BenchReport,
  buildMissingReport,
  buildReport,
  buildReportRequest,
  type MissingReason,
  readReport,
  readReportAnswer,
  readReportRequest,
  type ReportAnswer,
} from "./udp_report.ts";
export { lossPercent, lostBetween, UdpTally, type UdpTallySnapshot } from "./udp_tally.ts";
export { bitsPerSecond, formatBytes, formatMbits, formatSpan, reportJson } from "./units.ts";
