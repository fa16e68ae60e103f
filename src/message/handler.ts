// The contract between a server and the code that answers its clients:
// what a handler is given and what it may answer. TCP and UDP servers, the
// modes and the echo handler all depend on this file, and it on nothing of
// theirs. A handler that needs only the message and who sent it is a
// PeerHandler, which both servers take.
import type { SocketAddress } from "../net/mod.ts";
import type { Message, Payload } from "./message.ts";

/** What a handler may answer: text, bytes, or nothing (no reply). */
export type Reply = Payload | undefined | null | void;

/** Answers one message; may be async. Messages of one client are handled in order. */
export type MessageHandler = (message: Message, client: Client) => Reply | Promise<Reply>;

/**
 * Answers one message knowing only who sent it, so it serves TCP clients
 * (`serve`) and UDP peers (`serveUdp`) alike; may be async.
 */
export type PeerHandler = (message: Message, peer: Peer) => Reply | Promise<Reply>;

/** Who a message came from: a TCP client or the sender of a UDP datagram. */
export interface Peer {
  /** The peer's IP address and port. */
  readonly remoteAddress: SocketAddress;
  /** The server's end: the IP address and port the peer reached. */
  readonly localAddress: SocketAddress;
}

/** A connected client, as the server sees it. */
export interface Client extends Peer {
  /** 1 for the first client of this server, then 2, 3, ... */
  readonly id: number;
  /**
   * Sends a message to this client outside the request/reply flow (chat,
   * notices). While much waits for this client, the clients whose messages
   * send to it are slowed to its pace; one that takes nothing for a while, or
   * lets more than the server's `maxQueuedBytes` pile up, is disconnected, so
   * it never holds the others up for long.
   * @throws {FramingError} when the payload cannot be framed (too large, say).
   */
  send(payload: Payload): void;
  /** Flushes what was sent, then closes the connection. */
  close(): Promise<void>;
}
