/**
 * TCP: the framed server (`serve`) with its per-client queues, limits and idle
 * sweeps, raw byte services, and the client (`connect`).
 * @module
 */
export type { ByteService } from "./byte_service.ts";
export type { PieceOptions } from "./piece_sender.ts";
export type { ServerStats } from "./server_stats.ts";
export {
  connect,
  type Connection,
  FIN_GRACE_MS,
  openTcp,
  type SendOptions,
  type TlsConnectOptions,
  type TlsSession,
  tlsSession,
} from "./tcp_client.ts";
