/**
 * What a server's handler gets and gives back, on TCP and UDP alike: a
 * `Message`, the peer it came from, the reply, and the trace events that `-v`
 * narrates.
 * @module
 */
export { asError } from "./as_error.ts";
export { echo } from "./echo_handler.ts";
export type { Client, MessageHandler, Peer, PeerHandler, Reply } from "./handler.ts";
export { Message, type Payload, toBytes } from "./message.ts";
export type { RefusalCode } from "./refusal_code.ts";
export type { DatagramFault, TraceEndpoints, TraceEvent, TraceSink } from "./trace.ts";
