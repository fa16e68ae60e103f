import type { ServerMode } from "./types.ts";

/**
 * Answers each message with its upper-case form. A message that is not UTF-8
 * text throws, which the server answers with an `error:` line.
 */
export function upperMode(): ServerMode {
  return { handler: (message) => message.text.toUpperCase() };
}
