import type { MessageHandler } from "./handler.ts";

/**
 * Answers each message with its exact bytes. Pass this one rather than your
 * own `(m) => m.bytes`: the server recognises it and echoes whole runs of
 * frames as they arrived, without building a Message for each.
 *
 * @example
 * ```ts
 * import { echo, serve } from "../mod.ts";
 * const server = await serve({ port: 0 }, echo);
 * await server.close();
 * ```
 */
export const echo: MessageHandler = (message): Uint8Array => message.bytes;
