import type { SocketAddress } from "../net/mod.ts";
import type { RefusalCode } from "./refusal_code.ts";

/**
 * One thing that happened on a connection or socket, for narration
 * (what `-v` shows), JSON logs and hex views. Bytes are the
 * exact bytes on the wire, framing included.
 */
export type TraceEvent =
  | {
    readonly type: "connected";
    /** TCP: whether Nagle's algorithm is on (false: TCP_NODELAY, each write goes out at once). */
    readonly nagle?: boolean;
  }
  | { readonly type: "read"; readonly data: Uint8Array; readonly messages: number }
  | { readonly type: "wrote"; readonly data: Uint8Array; readonly messages: number }
  | { readonly type: "peer-fin" }
  | { readonly type: "fin-sent" }
  | {
    readonly type: "closed";
    readonly error?: Error;
    /** Set when this end closed before the peer's FIN: why. What the peer sends after is answered with RST. */
    readonly early?: string;
  }
  | { readonly type: "refused"; readonly reason: string; readonly code: RefusalCode }
  | { readonly type: "datagram-in"; readonly data: Uint8Array }
  | { readonly type: "datagram-out"; readonly data: Uint8Array }
  | {
    readonly type: "datagram-fault";
    readonly fault: DatagramFault;
    /** `out`: a datagram this end was sending; `in`: one it received. */
    readonly direction: "in" | "out";
    /** Which datagram, counting from 1 in that direction. */
    readonly datagram: number;
    readonly bytes: number;
    /** For `delayed`: how long it waits before it goes. */
    readonly delayMs?: number;
  };

/**
 * What a fault injected on purpose did to one datagram (`udp.ts --drop`,
 * `--delay`, `--dup`, `--reorder`): `dropped` (never sent, or received and
 * thrown away), `delayed`, `duplicated` (sent twice), `held` (back, to go
 * after the next one), `overflow` (dropped: too many already held back) or
 * `unsent` (still held back when the socket closed).
 */
export type DatagramFault = "dropped" | "delayed" | "duplicated" | "held" | "overflow" | "unsent";

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
