import type { DatagramMode } from "./types.ts";

/**
 * Answers each message with its upper-case form. A message that is not UTF-8
 * text throws, which the server (TCP or UDP) answers with an `error:` message.
 */
export function upperMode(): DatagramMode {
  return { handler: (message) => message.text.toUpperCase() };
}
