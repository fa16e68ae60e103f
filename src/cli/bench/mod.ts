/**
 * The throughput lab, `client.ts --bench` and `udp.ts bench`: timed runs
 * against an echo server, with per-second intervals and a summary.
 * @module
 */
export { runTcpBench } from "./tcp.ts";
export { runUdpBench } from "./udp.ts";
