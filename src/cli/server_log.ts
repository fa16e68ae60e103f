import { formatAddress } from "../address.ts";
import type { SocketAddress } from "../net/types.ts";
import type { Client, ServerStats } from "../tcp_server.ts";
import { countOf } from "./count_of.ts";
import { describeError } from "./describe_error.ts";
import { printError, printStatus } from "./output.ts";

function who(client: Client): string {
  return `client ${client.id} (${formatAddress(client.remoteAddress)})`;
}

/** Logs a connection on stderr (server.ts -v). */
export function logConnect(client: Client): void {
  printStatus(`${who(client)} connected`);
}

/** Logs a departure on stderr, with the reason when it was not clean (server.ts -v). */
export function logDisconnect(client: Client, error?: Error): void {
  printStatus(`${who(client)} disconnected${error ? `: ${describeError(error)}` : ""}`);
}

/** Reports a failure of one client, or of accepting, on stderr; the server goes on. */
export function logClientError(error: Error, client?: Client): void {
  printError(`${client ? who(client) : "accepting a connection"}: ${describeError(error)}`);
}

/** Reports a connection turned away by --max-conns, --allow or --deny; the server goes on. */
export function logRefusal(remote: SocketAddress, reason: string): void {
  printStatus(`refused ${formatAddress(remote)}: ${reason}`);
}

/** The one-line summary a stopped server prints. */
export function formatServerSummary(stats: Readonly<ServerStats>): string {
  return `server stopped: ${countOf(stats.connections, "connection")} served, ${
    countOf(stats.messagesIn, "message")
  } in, ${countOf(stats.messagesOut, "message")} out, ${countOf(stats.bytesIn, "byte")} in, ${
    countOf(stats.bytesOut, "byte")
  } out${stats.refused > 0 ? `, ${countOf(stats.refused, "connection")} refused` : ""}`;
}
