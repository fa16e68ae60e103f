/**
 * TCP server for network labs: `deno run -qP server.ts` or `bun server.ts`.
 * Echo, upper-case or chat; see `--help`.
 * @module
 */
import process from "node:process";
import { displayBytes } from "./src/bytes/terminal_text.ts";
import { startServerAnnouncement } from "./src/cli/discovery/mod.ts";
import { printListening } from "./src/cli/listen_banner.ts";
import { createNarrator } from "./src/cli/narration/mod.ts";
import { printLine, printStatus, useNonBlockingOutput } from "./src/cli/output.ts";
import { asTypedHere } from "./src/cli/program_name.ts";
import { runMain } from "./src/cli/run_main.ts";
import {
  clientCommandFor,
  describeReplyDelay,
  formatServerSummary,
  logClientError,
  logConnect,
  logDisconnect,
  logReceived,
  logRefusal,
  logRepeatedErrors,
  parseServerOptions,
  SERVER_HELP,
} from "./src/cli/server/mod.ts";
import { onStopSignal } from "./src/cli/signals.ts";
import { stdinLines } from "./src/cli/stdin_lines.ts";
import { loadServerCertificate, tlsBannerLines, tlsClientFlags } from "./src/cli/tls/mod.ts";
import { describeError } from "./src/errors/describe_error.ts";
import { createMode, type ServerMode } from "./src/modes/mod.ts";
import { serve } from "./src/tcp/tcp_server.ts";
import { seededRandom } from "./src/udp/seeded_random.ts";

/** Runs `server.ts` with `args` (the flags after the script name) and returns its exit code. */
export async function main(args: string[]): Promise<number> {
  const options = parseServerOptions(args);
  if (options === "help") {
    printLine(asTypedHere(SERVER_HELP).trimEnd());
    return 0;
  }
  // A log nobody reads must not stop the clients being served.
  useNonBlockingOutput();
  // The chat transcript is what the operator asked to see, so it goes to stdout.
  const mode = createMode(options.mode, {
    maxFrameBytes: options.maxFrameBytes,
    show: printLine,
    report: options.verbose ? logReceived : undefined,
  });
  const certificate = options.tls && await loadServerCertificate(options.tls, options.host);
  const random = seededRandom(options.seed);
  const server = await serve({
    host: options.host,
    port: options.port,
    framing: options.framing,
    maxFrameBytes: options.maxFrameBytes,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    allow: options.allow,
    deny: options.deny,
    tls: certificate?.tls,
    trace: createNarrator(options),
    bytes: mode.bytes,
    nagle: options.nagle,
    replyDelay: options.replyDelay && { ...options.replyDelay, random: random.next },
    onRefuse: logRefusal,
    onConnect(client) {
      if (options.verbose) logConnect(client);
      mode.onConnect?.(client);
    },
    onDisconnect(client, error) {
      logRepeatedErrors(client);
      if (options.verbose) logDisconnect(client, error);
      mode.onDisconnect?.(client);
    },
    // Always shown: a student whose client got an `error:` line wants to see why here too.
    onError: logClientError,
    // The lines clients are sent name the flag that would help, as the log does.
    describeError,
  }, mode.handler);
  const stop = new Promise<void>((resolve) => onStopSignal(resolve));
  const clientCommand = clientCommandFor(options.framing, options.maxFrameBytes)
    + (certificate ? tlsClientFlags(certificate) : "");
  printListening("tcp", server.address, clientCommand);
  if (certificate) {
    for (const line of tlsBannerLines(certificate, clientCommand, server.address)) {
      printStatus(line);
    }
  }
  if (options.replyDelay) printStatus(describeReplyDelay(options.replyDelay, random.seed));
  const announcement = await startServerAnnouncement({
    protocol: "tcp",
    address: server.address,
    choice: options.announce,
    mode: options.mode,
    framing: options.framing,
    fingerprint: certificate ? certificate.fingerprint : undefined,
  });
  if (mode.operatorLine) void relayOperatorLines(mode);
  await stop;
  // The goodbye goes first, so browsers drop the server before it stops answering.
  await announcement?.close();
  await server.close();
  logRepeatedErrors();
  printStatus(formatServerSummary(server.stats));
  return 0;
}

// Only chat reads stdin, so an echo server started in the background is never stopped for reading a terminal.
async function relayOperatorLines(mode: ServerMode): Promise<void> {
  try {
    for await (const line of stdinLines()) mode.operatorLine?.(displayBytes(line));
  } catch {
    // stdin closed or unreadable: the chat goes on without the operator.
  }
}

if (import.meta.main) await runMain("server.ts", () => main(process.argv.slice(2)));
