import type { Client, MessageHandler } from "../handler.ts";

/** The behaviours a server can take on. */
export type ModeName = "echo" | "upper" | "chat";

/** What a server mode adds to a TCP server: how it answers, and what it does around clients. */
export interface ServerMode {
  /** Answers each message of each client. */
  readonly handler: MessageHandler;
  /** A client connected. */
  onConnect?(client: Client): void;
  /** A client left, cleanly or not. */
  onDisconnect?(client: Client): void;
  /** A line the server's own operator typed; only chat uses it. */
  operatorLine?(text: string): void;
}

/** What a mode may need from the server script. */
export interface ModeContext {
  /** Largest message the server's framing accepts, so chat can refuse relays that would not fit. */
  readonly maxFrameBytes: number;
  /** Shows a line of the conversation to the server's operator (chat only). */
  show(line: string): void;
}
