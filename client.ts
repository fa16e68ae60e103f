/**
 * TCP client for network labs: `deno run -qP client.ts` or `bun client.ts`.
 * Request/reply, full duplex (chat, piped files), ping or a throughput bench; see `--help`.
 * @module
 */
import process from "node:process";
import { judgeTcpServer } from "./src/check/mod.ts";
import { runClassCheck, runTcpCheck } from "./src/cli/check/mod.ts";
import {
  CLIENT_HELP,
  duplex,
  parseClientOptions,
  ping,
  runTcpBench,
  sendRequests,
} from "./src/cli/client/mod.ts";
import { resolveInstanceTarget, runFind } from "./src/cli/discovery/mod.ts";
import { createNarrator } from "./src/cli/narration/mod.ts";
import { printLine, printStatus } from "./src/cli/output.ts";
import { asTypedHere } from "./src/cli/program_name.ts";
import { runMain } from "./src/cli/run_main.ts";
import { onStopSignal } from "./src/cli/signals.ts";
import { clientTlsOptions, describeTlsSession } from "./src/cli/tls/mod.ts";
import { connect } from "./src/tcp/tcp_client.ts";

/** Runs `client.ts` with `args` (the flags after the script name) and returns its exit code. */
export async function main(args: string[]): Promise<number> {
  const options = parseClientOptions(args);
  if (options === "help") {
    printLine(asTypedHere(CLIENT_HELP).trimEnd());
    return 0;
  }
  if (options.task.kind === "find") {
    return await runFind({
      protocol: "tcp",
      timeoutMs: options.task.timeoutMs,
      json: options.json,
    });
  }
  // --host "Ani": the instance name --find lists, looked up once for every task (a class
  // check reads its hosts from its file).
  if (!(options.task.kind === "check" && options.task.class)) {
    Object.assign(options, await resolveInstanceTarget(options, "tcp"));
  }
  // A bench opens its own connections (--parallel) and reports its own figures.
  if (options.task.kind === "bench") {
    const stopped = new Promise<void>((resolve) => onStopSignal(resolve));
    return await runTcpBench({ ...options, ...options.task, stopped });
  }
  // A check opens its own connections, several at once, and resets one on purpose.
  if (options.task.kind === "check") {
    const { expect, lang, class: ofClass } = options.task;
    if (ofClass) {
      return await runClassCheck(
        { ...ofClass, defaultPort: options.port, json: options.json, lang },
        (student) =>
          judgeTcpServer({ ...options, expect, lang, host: student.host, port: student.port }),
      );
    }
    return await runTcpCheck({ ...options, expect, lang });
  }
  const connection = await connect({
    host: options.host,
    port: options.port,
    framing: options.framing,
    maxFrameBytes: options.maxFrameBytes,
    timeoutMs: options.timeoutMs,
    trace: createNarrator(options),
    tls: options.tls && clientTlsOptions(options.tls),
    ...options.sending,
  });
  if (connection.tls) printStatus(describeTlsSession(connection.tls, options.tls));
  try {
    const { task } = options;
    switch (task.kind) {
      case "messages":
        return await sendRequests(connection, task.messages, options.timeoutMs);
      case "ping": {
        // Ctrl-C ends the probe early but still prints the summary, as ping does.
        const stopped = new Promise<void>((resolve) => onStopSignal(resolve));
        return await ping(connection, { ...task, timeoutMs: options.timeoutMs, stopped });
      }
      case "duplex":
        return await duplex(connection);
    }
  } finally {
    // Every task ends its conversation itself; a connection still open here is given up on.
    connection.close("giving up after an error");
  }
}

if (import.meta.main) await runMain("client.ts", () => main(process.argv.slice(2)));
