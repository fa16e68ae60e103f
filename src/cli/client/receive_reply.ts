import { countOf, escapeControl, secondsText } from "../../bytes/mod.ts";
import type { Message } from "../../message/mod.ts";
import { NetError } from "../../net/mod.ts";
import type { Connection } from "../../tcp/mod.ts";

/** Shows a message the user typed inside an error line: escaped and cut short. */
export function quoteMessage(text: string): string {
  return `'${escapeControl(text.length > 40 ? `${text.slice(0, 40)}...` : text)}'`;
}

/**
 * Waits for the reply to `request`, with errors that name the request.
 * @throws {NetError} `TIMED_OUT` when nothing came in time, `CLOSED` when the
 *   server hung up first, or the connection's own failure.
 */
export async function receiveReply(
  connection: Connection,
  request: string,
  timeoutMs: number,
  position?: { index: number; count: number },
): Promise<Message> {
  // Among several messages, which one went unanswered matters as much as its text.
  const named = position && position.count > 1
    ? `${quoteMessage(request)} (message ${position.index + 1} of ${position.count})`
    : quoteMessage(request);
  let reply: Message | null;
  try {
    reply = await connection.receive(timeoutMs);
  } catch (error) {
    if (!(error instanceof NetError) || error.code !== "TIMED_OUT") throw error;
    throw new NetError(
      "TIMED_OUT",
      `no reply to ${named} within ${secondsText(timeoutMs)}${unfinished(connection)}`,
      { operation: "receive", address: connection.remoteAddress, cause: error },
    );
  }
  if (reply === null) {
    throw new NetError(
      "CLOSED",
      `the server closed the connection without replying to ${named}`,
      { operation: "receive", address: connection.remoteAddress },
    );
  }
  return reply;
}

// Bytes of a reply that never ended: the usual cause is a server that forgets the newline.
function unfinished(connection: Connection): string {
  const bytes = connection.partialBytes;
  if (bytes === 0) return "";
  const came = `: ${countOf(bytes, "byte")} came`;
  return connection.framing.name === "line"
    ? `${came} but no newline to end them`
    : `${came} but not the whole message`;
}
