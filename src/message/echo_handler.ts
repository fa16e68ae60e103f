import type { PeerHandler } from "./handler.ts";

/**
 * Answers each message with its exact bytes, on TCP (`serve`) or UDP
 * (`serveUdp`). Pass this one rather than your own `(m) => m.bytes`: the TCP
 * server recognises it and echoes whole runs of frames as they arrived,
 * without building a Message for each.
 *
 * @example
 * ```ts
 * import { echo, serve } from "../../mod.ts";
 * const server = await serve({ port: 0 }, echo);
 * await server.close();
 * ```
 */
export const echo: PeerHandler = (message): Uint8Array => message.bytes;
