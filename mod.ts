/**
 * socklab: TCP and UDP servers and clients for networking labs, the same on
 * Deno and Bun.
 *
 * A TCP echo server in three lines:
 *
 * ```ts
 * import { serve } from "./mod.ts";
 * const server = await serve({ port: 0 }, (message) => message.text);
 * await server.close();
 * ```
 *
 * @module
 */
export { formatAddress, isIpLiteral } from "./src/address/address.ts";
export { cidrContains, type CidrRange, isPeerAllowed, parseCidr } from "./src/address/cidr.ts";
export { resolveHost } from "./src/discovery/resolve_host.ts";
// Judging anyone's server: what `client.ts --check` and `udp.ts check` run, as data.
export {
  type CheckEntry,
  type CheckServerOptions,
  type CheckStatus,
  type CheckTarget,
  checkTcpServer,
  type CheckTcpServerOptions,
  checkUdpServer,
  type ExpectName,
  type Lang,
  type ServerReport,
} from "./src/check/mod.ts";
export * from "./src/framing/mod.ts";
// Measuring throughput as iperf3 does, and what ping and the UDP bench count with, as numbers.
export {
  BENCH_END_GRACE_MS,
  type BenchDirection,
  type BenchInterval,
  type BenchRun,
  type Lane,
  measureTcpThroughput,
  type SideTotals,
  type StreamSummary,
  type TcpThroughputObserver,
  type TcpThroughputOptions,
} from "./src/measure/mod.ts";
export {
  type EchoVerdict,
  lossPercent,
  PingTally,
  type ProbeReply,
  type RttSummary,
  summariseRtts,
  UdpTally,
  type UdpTallySnapshot,
} from "./src/measure/mod.ts";
// Measuring UDP throughput as `udp.ts bench` does, the discard server's count
// of it, and the chargen server's stream for `--direction down`.
export {
  type BenchAnswer,
  BenchReceiver,
  CHARGEN_ANSWER_BYTES,
  type DownMode,
  measureUdpThroughput,
  type MissingReason,
  type ReceiverCounts,
  type ReportProblem,
  type StreamAsk,
  type StreamEvent,
  StreamSender,
  type StreamSenderOptions,
  type StreamSocket,
  UDP_BENCH_RECEIVE_BUFFER_BYTES,
  type UdpBenchCount,
  type UdpThroughputDirection,
  type UdpThroughputFailure,
  type UdpThroughputInterval,
  type UdpThroughputObserver,
  type UdpThroughputOptions,
  type UdpThroughputProgress,
  type UdpThroughputResult,
  type UdpThroughputStart,
} from "./src/measure/mod.ts";
export { echo } from "./src/message/echo_handler.ts";
export { Message, type Payload, toBytes } from "./src/message/message.ts";
export type { DatagramFault, TraceEndpoints, TraceEvent, TraceSink } from "./src/message/trace.ts";
export {
  createDatagramMode,
  createMode,
  DATAGRAM_MODE_NAMES,
  type DatagramMode,
  type DatagramModeName,
  MODE_NAMES,
  type ModeContext,
  type ModeName,
  type ReceivedTally,
  type ServerMode,
} from "./src/modes/mod.ts";
export { NetError, type NetErrorCode, type NetOperation, toNetError } from "./src/net/net_error.ts";
export { detectRuntime, runtime, type RuntimeName } from "./src/net/runtime.ts";
export type { TlsTrust } from "./src/net/tls_verify.ts";
export type * from "./src/net/types.ts";
export type { WriteDelay } from "./src/tcp/delayed_connection.ts";
export type { PieceOptions } from "./src/tcp/piece_sender.ts";
export { connect, Connection } from "./src/tcp/tcp_client.ts";
export type {
  ConnectOptions,
  FinishOptions,
  SendOptions,
  TlsConnectOptions,
  TlsSession,
} from "./src/tcp/tcp_client.ts";
export { DEFAULT_MAX_QUEUED_BYTES, serve } from "./src/tcp/tcp_server.ts";
export type {
  ByteService,
  Client,
  MessageHandler,
  RefusalCode,
  Reply,
  ServeOptions,
  Server,
  ServerStats,
} from "./src/tcp/tcp_server.ts";
export type { ClientTlsChoice } from "./src/tls/mod.ts";
export { type FaultLimits, type FaultSettings, type FaultStats, UdpFaults } from "./src/udp/mod.ts";
export {
  bindUdp,
  DEFAULT_MAX_DATAGRAM_BYTES,
  MAX_UDP_PAYLOAD_IPV4,
  MAX_UDP_PAYLOAD_IPV6,
  serveUdp,
  UdpEndpoint,
} from "./src/udp/udp_endpoint.ts";
export type {
  Datagram,
  DatagramFaults,
  Peer,
  PeerHandler,
  ServeUdpOptions,
  UdpOptions,
  UdpStats,
} from "./src/udp/udp_endpoint.ts";
