// The raw-bytes side of a TCP server: services that treat each client's
// connection as a plain byte stream, with no framing and no handler call per
// message. The classic discard and chargen services (RFC 863, 864) are of
// this kind, and so is anything that must run at the link's speed: framing
// work per message would make a throughput lab measure the server's CPU.
import type { Client } from "../message/mod.ts";

/**
 * Serves every client of a TCP server as a raw byte stream. What a client
 * sends is counted and dropped, never decoded; `source`, when given, is sent
 * again and again until the client leaves.
 */
export interface ByteService {
  /** `count` bytes arrived from `client`; they are already dropped. */
  received?(client: Client, count: number): void;
  /**
   * Bytes sent to every client over and over, as fast as it takes them, until
   * it closes. One buffer shared by all clients and never copied: the server
   * queues it only while the socket has room, so memory stays flat however
   * fast or slow the client reads.
   */
  readonly source?: Uint8Array;
}
