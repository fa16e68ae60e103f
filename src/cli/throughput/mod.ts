/**
 * The throughput lab's shared parts, used by `client.ts --bench`
 * (`src/cli/client/bench.ts`) and `udp.ts bench` (`src/cli/udp/bench.ts`):
 * the interval clock, the echo pattern that is checked byte for byte, rates
 * and units as iperf prints them, and UDP's sequence header and tally.
 * @module
 */
export {
  BenchDatagrams,
  countUdpDrops,
  EchoPattern,
  IntervalClock,
  lossPercent,
  lostBetween,
  MIN_PATTERN_BYTES,
  readBenchHeader,
  type ReceiverCounts,
  ReceiverTally,
  type SeenBudget,
  UDP_BENCH_HEADER_BYTES,
  type UdpDropCounts,
  UdpTally,
  type UdpTallySnapshot,
  yieldToEventLoop,
} from "../../measure/mod.ts";
export {
  formatBitrate,
  formatTransfer,
  iperfHeader,
  iperfLine,
  streamLabel,
} from "./iperf_format.ts";
export { type ConnectedSocket, iperfStart } from "./iperf_json.ts";
export { ProgressLine } from "./progress.ts";
export { parseRate } from "./rate.ts";
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
export { bitsPerSecond, formatBytes, formatMbits, formatSpan, reportJson } from "./units.ts";
