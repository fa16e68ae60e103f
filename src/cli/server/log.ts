import { formatAddress } from "../../address/mod.ts";
import { countOf } from "../../bytes/mod.ts";
import { describeError } from "../../errors/mod.ts";
import type { Client, RefusalCode } from "../../message/mod.ts";
import type { ReceivedTally } from "../../modes/mod.ts";
import type { SocketAddress } from "../../net/mod.ts";
import type { ServerStats } from "../../tcp/mod.ts";
import {
  describeRefusal,
  OTHER_KINDS,
  printError,
  printStatus,
  RepeatFilter,
  type RepeatReport,
} from "../mod.ts";
import { bitsPerSecond, formatBitrate, formatTransfer } from "../throughput/mod.ts";

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

function repeatsLine(report: RepeatReport): string {
  const seconds = (report.elapsedMs / 1000).toFixed(1);
  const what = report.kind === OTHER_KINDS
    ? `${countOf(report.count, "error")} of other kinds`
    : `the same error ${countOf(report.count, "more time")}`;
  return `${report.subject}: ${what} in ${seconds} s (the last: ${report.last})`;
}

// A client sending thousands of bad messages gets one line per kind of error, then a
// count, so the log cannot become the flood.
const repeats = new RepeatFilter({ onRepeats: (report) => printError(repeatsLine(report)) });

// Errors are the same kind when their code matches, whatever their wording (which
// carries sizes and such); errors without a code are told apart by their words.
function kindOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? `${error.name} ${code}` : `${error.name}: ${error.message}`;
}

/**
 * Reports a failure of one client, or of accepting, on stderr; the server goes
 * on. The first of each kind per client is shown, the repeats are counted and
 * reported by {@linkcode logRepeatedErrors} or every 10 s while they go on.
 */
export function logClientError(error: Error, client?: Client): void {
  const subject = client ? who(client) : "accepting a connection";
  const text = describeError(error);
  if (repeats.shouldShow(subject, kindOf(error), text)) printError(`${subject}: ${text}`);
}

/**
 * Reports how often the errors counted by {@linkcode logClientError} repeated:
 * for `client` when it leaves, or for everyone left when the server stops.
 */
export function logRepeatedErrors(client?: Client): void {
  if (client) repeats.settle(who(client));
  else repeats.settleAll();
}

/** Reports what a client sent a discard server, as iperf3's server reports a test (server.ts -v). */
export function logReceived(client: Client, received: ReceivedTally): void {
  const rate = formatBitrate(bitsPerSecond(received.bytes, received.seconds));
  printStatus(
    `${who(client)} sent ${formatTransfer(received.bytes)} in ${
      received.seconds.toFixed(2)
    } s, ${rate} (${countOf(received.bytes, "byte")} discarded)`,
  );
}

/** Reports a connection turned away by --max-conns, --allow or --deny; the server goes on. */
export function logRefusal(remote: SocketAddress, reason: string, code: RefusalCode): void {
  printStatus(`refused ${formatAddress(remote)}: ${describeRefusal(reason, code)}`);
}

/** The one-line summary a stopped server prints. */
export function formatServerSummary(stats: Readonly<ServerStats>): string {
  return `server stopped: ${countOf(stats.connections, "connection")} served, ${
    countOf(stats.messagesIn, "message")
  } in, ${countOf(stats.messagesOut, "message")} out, ${countOf(stats.bytesIn, "byte")} in, ${
    countOf(stats.bytesOut, "byte")
  } out${stats.refused > 0 ? `, ${countOf(stats.refused, "connection")} refused` : ""}`;
}
