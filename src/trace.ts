import type { RefusalCode } from "./handler.ts";
import type { SocketAddress } from "./net/types.ts";

/**
 * One thing that happened on a connection or socket, for narration
 * (what `-v` shows), JSON logs and hex views. Bytes are the
 * exact bytes on the wire, framing included.
 */
export type TraceEvent =
  | { readonly type: "connected" }
  | { readonly type: "read"; readonly data: Uint8Array; readonly messages: number }
  | { readonly type: "wrote"; readonly data: Uint8Array; readonly messages: number }
  | { readonly type: "peer-fin" }
  | { readonly type: "fin-sent" }
  | { readonly type: "closed"; readonly error?: Error }
  | { readonly type: "refused"; readonly reason: string; readonly code: RefusalCode }
  | { readonly type: "datagram-in"; readonly data: Uint8Array }
  | { readonly type: "datagram-out"; readonly data: Uint8Array };

/** Where an event happened: this end and the other end. */
export interface TraceEndpoints {
  /** The protocol of the connection or socket. */
  readonly protocol: "tcp" | "udp";
  /** This program's end. */
  readonly local: SocketAddress;
  /** The other end: the TCP peer, or the sender or destination of a datagram. */
  readonly remote: SocketAddress;
}

/** Receives trace events; set one to watch a server, client or UDP socket work. */
export type TraceSink = (event: TraceEvent, where: TraceEndpoints) => void;
