import { formatAddress } from "../address.ts";
import type { SocketAddress } from "../net/types.ts";
import type { Client, ServerStats } from "../tcp_server.ts";
import { describeError } from "./describe_error.ts";
import { printError, printStatus } from "./output.ts";

function who(client: Client): string {
  return `client ${client.id} (${formatAddress(client.remoteAddress)})`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
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
  return `server stopped: ${plural(stats.connections, "connection")} served, ${
    plural(stats.messagesIn, "message")
  } in, ${plural(stats.messagesOut, "message")} out, ${plural(stats.bytesIn, "byte")} in, ${
    plural(stats.bytesOut, "byte")
  } out${stats.refused > 0 ? `, ${plural(stats.refused, "connection")} refused` : ""}`;
}
