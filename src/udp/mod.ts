/**
 * UDP: an endpoint that serves or sends datagrams (`serveUdp`, `bindUdp`), with
 * the amplification bound a server on a shared network needs, and faults on
 * purpose (`UdpFaults`: drop, delay, duplicate, reorder, repeatable by seed).
 * @module
 */
export { AMPLIFICATION_FACTOR, UDP_IPV4_OVERHEAD } from "./amplification_limit.ts";
export type { FaultSettings } from "./fault_settings.ts";
export { type FaultLimits, type FaultStats, UdpFaults } from "./faults.ts";
export { MAX_SEED } from "./seeded_random.ts";
export {
  bindUdp,
  type Datagram,
  type DatagramFaults,
  DEFAULT_MAX_DATAGRAM_BYTES,
  MAX_UDP_PAYLOAD_IPV4,
  MAX_UDP_PAYLOAD_IPV6,
  serveUdp,
  type UdpEndpoint,
} from "./udp_endpoint.ts";
