import type { Connection } from "../../tcp_client.ts";
import { displayBytes } from "../../terminal_text.ts";
import { printLine } from "../output.ts";
import { receiveReply } from "./receive_reply.ts";

/**
 * Sends each message and prints its reply before sending the next, so replies
 * line up with requests even on a server that answers slowly.
 * @throws {NetError} when a reply does not come within `timeoutMs`, or the connection fails.
 */
export async function sendRequests(
  connection: Connection,
  messages: readonly string[],
  timeoutMs: number,
): Promise<void> {
  for (const message of messages) {
    connection.send(message);
    const reply = await receiveReply(connection, message, timeoutMs);
    printLine(displayBytes(reply.bytes));
  }
}
