import type { Client, MessageHandler, PeerHandler } from "../message/mod.ts";
import type { ByteService } from "../tcp/mod.ts";

/**
 * The modes whose handler needs only a message and who sent it, so a UDP
 * server can take them as well as a TCP one.
 */
export type DatagramModeName = "echo" | "upper" | "discard" | "chargen";

/** The behaviours a server can take on. */
export type ModeName = DatagramModeName | "chat";

/** What a server mode adds to a TCP server: how it answers, and what it does around clients. */
export interface ServerMode {
  /** Answers each message of each client. */
  readonly handler: MessageHandler;
  /** Set by modes that take each client as raw bytes (discard, chargen): no framing, no handler calls. */
  readonly bytes?: ByteService;
  /** A client connected. */
  onConnect?(client: Client): void;
  /** A client left, cleanly or not. */
  onDisconnect?(client: Client): void;
  /** A line the server's own operator typed; only chat uses it. */
  operatorLine?(text: string): void;
}

/**
 * A mode that answers each message on its own, knowing only its sender: it
 * serves TCP clients (it is a `ServerMode`) and UDP peers alike.
 */
export interface DatagramMode {
  /** Answers each message; what it throws is answered with an `error:` message. */
  readonly handler: PeerHandler;
}

/** What a mode may need from the server script. */
export interface ModeContext {
  /**
   * Largest message the server accepts (its frame limit on TCP, its datagram
   * limit on UDP), so chat can refuse relays that would not fit.
   */
  readonly maxFrameBytes: number;
  /** Shows a line of the conversation to the server's operator (chat only). */
  show(line: string): void;
  /** Told what a client sent when it leaves (discard only); unset when nobody asked (no -v). */
  report?(client: Client, received: ReceivedTally): void;
}

/** What one client sent a discard server over its connection: the receiver's side of an upload. */
export interface ReceivedTally {
  /** Bytes received over the connection. */
  readonly bytes: number;
  /** From connect to leaving. */
  readonly seconds: number;
}
