import { formatAddress } from "../../address/mod.ts";
import {
  type BenchDirection,
  measureTcpThroughput,
  type TcpThroughputOptions,
} from "../../measure/mod.ts";
import { asTypedHere, EXIT, printError, printLine, printStatus } from "../mod.ts";
import { formatTransfer, ProgressLine } from "../throughput/mod.ts";
import { describeTlsSession } from "../tls/mod.ts";
import { formatHeader, formatInterval, formatJson, formatSummary } from "./bench_report.ts";

export type { BenchDirection } from "../../measure/mod.ts";

/** How `client.ts --bench` runs: the engine's options, and how to print. */
export interface TcpBenchOptions extends TcpThroughputOptions {
  /** Print one JSON report on stdout instead of text. */
  json: boolean;
  /** Resolves when the user asks to stop early (Ctrl-C); the summary is still printed. */
  stopped: Promise<void>;
}

const WHAT: Record<BenchDirection, string> = {
  up: "upload to",
  down: "download from",
  both: "echo through",
};

/**
 * Runs `client.ts --bench`: measures with {@linkcode measureTcpThroughput},
 * printing a line per stream per second (and a [SUM] line with several
 * streams) and a sender/receiver summary, as iperf3 does, or one JSON object
 * shaped like iperf3's -J.
 * @returns 0 when every stream finished cleanly (and, for echo runs, every echo matched), 1 otherwise.
 * @throws {NetError} when a connection cannot be opened.
 */
export async function runTcpBench(options: TcpBenchOptions): Promise<number> {
  const { direction } = options;
  const progress = new ProgressLine(ProgressLine.wanted(options.json));
  const run = await measureTcpThroughput(options, {
    // The line client.ts --tls prints, once: every stream reaches the same server.
    tlsSession: (session) => printStatus(describeTlsSession(session, options.tls)),
    started(run) {
      const streamWord = run.streams.length === 1 ? "1 stream" : `${run.streams.length} streams`;
      printStatus(
        `bench: ${WHAT[direction]} ${formatAddress(run.target)}${
          options.tls ? " over TLS" : ""
        } for ${options.seconds} s, ${streamWord}, ${
          direction === "both"
            ? `${options.size}-byte messages (${options.framing} framing)`
            : direction === "up"
            ? `${formatTransfer(options.size)} writes`
            : "reading whatever arrives"
        }`,
      );
      if (!options.json) printLine(formatHeader(run));
    },
    interval(run, interval) {
      progress.clear();
      if (!options.json) { for (const line of formatInterval(run, interval)) printLine(line); }
    },
    progress(elapsed, moved) {
      progress.show(`${elapsed.toFixed(1).padStart(5)} s  ${formatTransfer(moved)}`);
    },
  });
  progress.clear();
  if (options.json) printLine(formatJson(run));
  else for (const line of formatSummary(run)) printLine(line);
  if (run.failure) {
    // Its hints name server.ts too: both as typed here.
    printError(asTypedHere(`client.ts: ${run.failure}`));
    return EXIT.failure;
  }
  return EXIT.ok;
}
