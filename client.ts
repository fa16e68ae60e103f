/**
 * TCP client for network labs: `deno run -qP client.ts` or `bun client.ts`.
 * Request/reply, full duplex (chat, piped files), ping or a throughput bench; see `--help`.
 * @module
 */
import process from "node:process";
import {
  CLIENT_HELP,
  duplex,
  parseClientOptions,
  ping,
  runTcpBench,
  sendRequests,
} from "./src/cli/client/mod.ts";
import { createNarrator } from "./src/cli/narration/mod.ts";
import { printLine } from "./src/cli/output.ts";
import { runMain } from "./src/cli/run_main.ts";
import { onStopSignal } from "./src/cli/signals.ts";
import { connect } from "./src/tcp_client.ts";

async function main(): Promise<number> {
  const options = parseClientOptions(process.argv.slice(2));
  if (options === "help") {
    printLine(CLIENT_HELP.trimEnd());
    return 0;
  }
  const connection = await connect({
    host: options.host,
    port: options.port,
    framing: options.framing,
    maxFrameBytes: options.maxFrameBytes,
    timeoutMs: options.timeoutMs,
    // A bench reports its own figures; narration would print every read.
    trace: options.task.kind === "bench" ? undefined : createNarrator(options),
  });
  try {
    const { task } = options;
    switch (task.kind) {
      case "messages":
        await sendRequests(connection, task.messages, options.timeoutMs);
        return 0;
      case "ping": {
        // Ctrl-C ends the probe early but still prints the summary, as ping does.
        const stopped = new Promise<void>((resolve) => onStopSignal(resolve));
        return await ping(connection, { ...task, timeoutMs: options.timeoutMs, stopped });
      }
      case "duplex":
        return await duplex(connection);
      case "bench": {
        const stopped = new Promise<void>((resolve) => onStopSignal(resolve));
        return await runTcpBench(connection, {
          ...task,
          json: options.json,
          drainTimeoutMs: options.timeoutMs,
          stopped,
        });
      }
    }
  } finally {
    connection.close();
  }
}

if (import.meta.main) await runMain("client.ts", main);
