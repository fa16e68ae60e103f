import { formatAddress } from "../../address/mod.ts";
import { countOf, displayBytes } from "../../bytes/mod.ts";
import type { Message } from "../../message/mod.ts";
import { NetError } from "../../net/mod.ts";
import { type Connection, FIN_GRACE_MS } from "../../tcp/mod.ts";
import { printError, printLine, programName } from "../mod.ts";
import { lengthPrefixedPayload } from "./length_prefixed_reply.ts";
import { receiveReply } from "./receive_reply.ts";

const ERROR_PREFIX = new TextEncoder().encode("error: ");

/**
 * Sends each message and prints its reply before sending the next, so replies
 * line up with requests even on a server that answers slowly. One reply per
 * message is the contract: every message that arrives is printed, and more of
 * them than requests is reported. A reply that starts with `error: ` and is
 * followed by the server closing (socklab's server says why it hangs up that
 * way) goes to stderr, not stdout. At the end the client half-closes and reads
 * until the server closes, so nothing it sent is left unread to cause a reset.
 * @returns The exit code: 0 when each message got one reply, 1 otherwise.
 * @throws {NetError} when a reply does not come within `timeoutMs`, the server
 *   closes before replying, or the connection fails.
 */
export async function sendRequests(
  connection: Connection,
  messages: readonly string[],
  timeoutMs: number,
): Promise<number> {
  let received = 0;
  const show = (message: Message) => {
    received++;
    printLine(displayBytes(message.bytes));
  };
  // Printed before any failure is thrown, so the student reads both.
  const reportExtra = (): boolean => {
    if (received <= messages.length) return false;
    printError(
      `${programName("client.ts")}: ${extraReplies(connection, received, messages.length)}`,
    );
    return true;
  };
  try {
    for (const [index, request] of messages.entries()) {
      // Whatever arrived before this request was sent cannot be its reply.
      while (connection.waiting > 0) show((await connection.receive())!);
      connection.send(request);
      // A message sent in pieces (--chunk) takes a while to leave: its reply is timed from the last.
      if (connection.sendsInPieces) await connection.flushed();
      const reply = await receiveReply(connection, request, timeoutMs, {
        index,
        count: messages.length,
      });
      const framed = connection.framing.name === "line"
        ? lengthPrefixedPayload(reply.bytes)
        : undefined;
      if (framed) {
        // Not a reply to print: the whole exchange is misread, so stop at the first one.
        await connection.finish({ maxMs: FIN_GRACE_MS }).catch(() => {});
        printError(
          `${programName("client.ts")}: ${lengthFramingMismatch(connection, reply, framed)}`,
        );
        return 1;
      }
      if (!startsWith(reply.bytes, ERROR_PREFIX)) {
        show(reply);
        continue;
      }
      const next = await nextWithin(connection, FIN_GRACE_MS);
      if (next === null) {
        printError(
          `${programName("client.ts")}: ${
            formatAddress(connection.remoteAddress)
          } sent an error and closed the connection: ${displayBytes(reply.bytes)}`,
        );
        reportExtra();
        return 1;
      }
      show(reply);
      if (next) show(next);
    }
  } catch (error) {
    // A server that is only slow may still close when asked: no reset for it.
    if (error instanceof NetError && error.code === "TIMED_OUT") {
      await connection.finish({ maxMs: FIN_GRACE_MS, onMessage: show }).catch(() => {});
    }
    reportExtra();
    throw error;
  }
  try {
    await connection.finish({ maxMs: timeoutMs, onMessage: show });
  } catch (error) {
    reportExtra();
    throw error;
  }
  return reportExtra() ? 1 : 0;
}

/**
 * The next message; `null` when the server closes first (a reset counts: a
 * server that hangs up with our bytes unread resets), `undefined` when
 * neither happens in `ms`.
 */
async function nextWithin(connection: Connection, ms: number): Promise<Message | null | undefined> {
  try {
    return await connection.receive(ms);
  } catch (error) {
    if (error instanceof NetError && error.code === "TIMED_OUT") return undefined;
    if (error instanceof NetError && error.code === "CONNECTION_RESET") return null;
    throw error;
  }
}

function lengthFramingMismatch(
  connection: Connection,
  reply: Message,
  payload: Uint8Array,
): string {
  const prefix = [...reply.bytes.subarray(0, 4)]
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join(" ");
  // The advice first: the server's own words may end in advice of their own.
  return `${formatAddress(connection.remoteAddress)} seems to use length framing: add `
    + `--framing length (its reply starts with a 4-byte length prefix, ${prefix}, that counts `
    + `the bytes after it: ${displayBytes(payload)})`;
}

function extraReplies(connection: Connection, received: number, sent: number): string {
  const line = connection.framing.name === "line";
  const unit = line ? "line" : "reply";
  return `the server sent ${countOf(received, unit, line ? "lines" : "replies")} for ${
    countOf(sent, "message")
  }; ${programName("client.ts")} MESSAGE expects one reply ${
    line ? "line " : ""
  }per message (does it ${
    line
      ? "greet first, answer each piece it reads, or end a reply with an extra newline"
      : "greet first, or answer each piece it reads"
  }?)`;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((byte, i) => bytes[i] === byte);
}
