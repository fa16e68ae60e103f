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
export { BENCH_END_GRACE_MS } from "./tcp_grace.ts";
export type { BenchDirection, BenchInterval, BenchRun, Lane, StreamSummary } from "./tcp_run.ts";
export type { SideTotals } from "./tcp_streams.ts";
export {
  measureTcpThroughput,
  type TcpThroughputObserver,
  type TcpThroughputOptions,
} from "./tcp_throughput.ts";
export { isBenchControl } from "./udp_bench_control.ts";
export { clockSeconds, datagramsFor, type UdpBenchCount } from "./udp_bench_count.ts";
export { type BenchAnswer, BenchReceiver } from "./udp_bench_receiver.ts";
export { countUdpDrops, type UdpDropCounts } from "./udp_buffer_drops.ts";
export { BenchDatagrams, readBenchHeader, UDP_BENCH_HEADER_BYTES } from "./udp_header.ts";
export { paceSends, type Pacing, sentQueued } from "./udp_pace.ts";
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
export { reportDoubt } from "./udp_report_check.ts";
export {
  buildStreamCookie,
  buildStreamGo,
  buildStreamOpen,
  buildStreamStatus,
  isStreamOpen,
  readStreamReply,
  readStreamRequest,
  type StreamAsk,
  type StreamCookie,
  type StreamReply,
  type StreamRequest,
  type StreamState,
  type StreamStatus,
} from "./udp_stream_protocol.ts";
export {
  type StreamEvent,
  StreamSender,
  type StreamSenderOptions,
  type StreamSocket,
} from "./udp_stream_sender.ts";
export {
  type EchoVerdict,
  lossPercent,
  lostBetween,
  UdpTally,
  type UdpTallySnapshot,
} from "./udp_tally.ts";
export {
  CHARGEN_ANSWER_BYTES,
  type DownMode,
  measureUdpThroughput,
  REPORT_REQUESTS,
  type ReportProblem,
  UDP_BENCH_RECEIVE_BUFFER_BYTES,
  type UdpThroughputDirection,
  type UdpThroughputFailure,
  type UdpThroughputInterval,
  type UdpThroughputObserver,
  type UdpThroughputOptions,
  type UdpThroughputProgress,
  type UdpThroughputResult,
  type UdpThroughputStart,
} from "./udp_throughput.ts";
