import type { Message } from "../../message.ts";
import { NetError } from "../../net/net_error.ts";
import type { Connection } from "../../tcp_client.ts";
import { escapeControl } from "../../terminal_text.ts";

/** Shows a message the user typed inside an error line: escaped and cut short. */
function quoteMessage(text: string): string {
  return `'${escapeControl(text.length > 40 ? `${text.slice(0, 40)}...` : text)}'`;
}

/** Formats milliseconds as the seconds a user gave to --timeout. */
export function secondsText(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
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
): Promise<Message> {
  let reply: Message | null;
  try {
    reply = await connection.receive(timeoutMs);
  } catch (error) {
    if (!(error instanceof NetError) || error.code !== "TIMED_OUT") throw error;
    throw new NetError(
      "TIMED_OUT",
      `no reply to ${quoteMessage(request)} within ${secondsText(timeoutMs)}`,
      { operation: "receive", address: connection.remoteAddress, cause: error },
    );
  }
  if (reply === null) {
    throw new NetError(
      "CLOSED",
      `the server closed the connection without replying to ${quoteMessage(request)}`,
      { operation: "receive", address: connection.remoteAddress },
    );
  }
  return reply;
}
