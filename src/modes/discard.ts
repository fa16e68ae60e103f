import type { Client } from "../message/mod.ts";
import type { DatagramMode, ModeContext, ServerMode } from "./types.ts";

/**
 * The discard service (RFC 863): reads everything each client sends and drops
 * it unread, counting bytes only, so an upload is measured at the speed of
 * the link rather than of framing. With `context.report`, each client's bytes
 * and rate are reported when it leaves: the receiver's view of the upload.
 */
export function discardMode(context: ModeContext): ServerMode {
  const started = new Map<Client, { at: number; bytes: number }>();
  const tallyOf = (client: Client) => {
    let tally = started.get(client);
    if (!tally) started.set(client, tally = { at: performance.now(), bytes: 0 });
    return tally;
  };
  return {
    // Never called: a byte service gets every byte before any framing.
    handler: () => undefined,
    bytes: {
      received(client, count) {
        tallyOf(client).bytes += count;
      },
    },
    onConnect(client) {
      tallyOf(client);
    },
    onDisconnect(client) {
      const tally = started.get(client);
      started.delete(client);
      if (!tally || !context.report) return;
      context.report(client, {
        bytes: tally.bytes,
        seconds: (performance.now() - tally.at) / 1000,
      });
    },
  };
}

/**
 * The discard service over UDP (RFC 863): every datagram is dropped
 * unanswered. The server's peer table still counts what each peer sent, so
 * the receiver's side of an upload is read there when the server stops.
 */
export function discardDatagramMode(): DatagramMode {
  return { handler: () => undefined };
}
