import { formatAddress } from "../../address/mod.ts";
import type { FramingName } from "../../framing/mod.ts";
import {
  connect,
  openTcp,
  type TlsConnectOptions,
  type TlsSession,
  tlsSession,
} from "../../tcp/mod.ts";
import { asTypedHere, EXIT, printError, printLine, printStatus } from "../mod.ts";
import { formatTransfer, IntervalClock, ProgressLine } from "../throughput/mod.ts";
import { type ClientTlsChoice, clientTlsOptions, describeTlsSession } from "../tls/mod.ts";
import { EchoStream } from "./bench_echo.ts";
import { endGraceMs } from "./bench_grace.ts";
import {
  type BenchDirection,
  type BenchInterval,
  type BenchRun,
  formatHeader,
  formatInterval,
  formatJson,
  formatSummary,
  type Lane,
  type StreamSummary,
} from "./bench_report.ts";
import { type BenchStream, DownloadStream, UploadStream } from "./bench_streams.ts";

export type { BenchDirection } from "./bench_report.ts";

/** How `client.ts --bench` runs. */
export interface TcpBenchOptions {
  host: string;
  port: number;
  framing: FramingName;
  maxFrameBytes: number;
  /**
   * For connecting; after the run, when longer than `BENCH_END_GRACE_MS`, how
   * long the server has to take the rest and send its FIN or last echoes.
   */
  timeoutMs: number;
  seconds: number;
  /** up: to a discard server; down: from chargen or any source; both: through an echo server. */
  direction: BenchDirection;
  /** Connections at once, as iperf3's -P. */
  parallel: number;
  /** Bytes per write (up) or per message, framing not counted (both). */
  size: number;
  /** Print one JSON report on stdout instead of text. */
  json: boolean;
  /** Resolves when the user asks to stop early (Ctrl-C); the summary is still printed. */
  stopped: Promise<void>;
  /** --tls, with how the server is trusted, as `client.ts --tls` takes it; undefined for plain TCP. */
  tls?: ClientTlsChoice;
}

const WHAT: Record<BenchDirection, string> = {
  up: "upload to",
  down: "download from",
  both: "echo through",
};

/**
 * Runs `client.ts --bench`: opens `parallel` connections, moves bytes the
 * chosen way for `seconds`, prints a line per stream per second (and a [SUM]
 * line with several streams) and a sender/receiver summary, as iperf3 does,
 * or one JSON object shaped like iperf3's -J.
 * @returns 0 when every stream finished cleanly (and, for echo runs, every echo matched), 1 otherwise.
 * @throws {NetError} when a connection cannot be opened.
 */
export async function runTcpBench(options: TcpBenchOptions): Promise<number> {
  const streams: BenchStream[] = [];
  const closers: (() => void)[] = [];
  // Read before connecting, so a --ca file that is not there is a usage error.
  const tls = options.tls && { ...clientTlsOptions(options.tls), serverName: options.host };
  // What the first stream's handshake gave: every stream reaches the same server.
  let session: TlsSession | undefined;
  try {
    for (let id = 1; id <= options.parallel; id++) {
      streams.push(await open(id, options, tls, closers, (shown) => (session ??= shown)));
    }
    return await measure(streams, options, session);
  } finally {
    for (const close of closers) close();
  }
}

async function open(
  id: number,
  options: TcpBenchOptions,
  tls: TlsConnectOptions | undefined,
  closers: (() => void)[],
  shaken: (session: TlsSession) => void,
): Promise<BenchStream> {
  const address = { host: options.host, port: options.port, timeoutMs: options.timeoutMs, tls };
  // The line client.ts --tls prints, once: every stream reaches the same server.
  const showTls = (session: TlsSession | undefined) => {
    if (id !== 1 || !session) return;
    shaken(session);
    printStatus(describeTlsSession(session, options.tls));
  };
  if (options.direction === "both") {
    const connection = await connect({
      ...address,
      framing: options.framing,
      maxFrameBytes: options.maxFrameBytes,
    });
    closers.push(() => connection.close());
    showTls(connection.tls);
    return new EchoStream(id, connection, options.size, endGraceMs(options.timeoutMs));
  }
  const connection = await openTcp(address);
  closers.push(() => connection.close());
  showTls(await tlsSession(connection));
  return options.direction === "up"
    ? new UploadStream(id, connection, options.size, endGraceMs(options.timeoutMs))
    : new DownloadStream(id, connection);
}

function lanesOf(streams: BenchStream[], direction: BenchDirection): Lane[] {
  return streams.flatMap((stream) =>
    direction === "both"
      ? [{ id: stream.id, sender: true }, { id: stream.id, sender: false }]
      : [{ id: stream.id, sender: direction === "up" }]
  );
}

async function measure(
  streams: BenchStream[],
  options: TcpBenchOptions,
  tls: TlsSession | undefined,
): Promise<number> {
  const { direction } = options;
  const target = streams[0]!.remoteAddress;
  const lanes = lanesOf(streams, direction);
  const count = (lane: Lane, stream: BenchStream) =>
    lane.sender ? stream.sentBytes : stream.receivedBytes;
  const byId = new Map(streams.map((stream) => [stream.id, stream]));
  const laneBytes = () => lanes.map((lane) => count(lane, byId.get(lane.id)!));
  const run: BenchRun = {
    direction,
    target,
    seconds: options.seconds,
    blockBytes: options.size,
    framing: direction === "both" ? options.framing : undefined,
    startedAt: new Date(),
    streams: streams.map((s) => ({ id: s.id, local: s.localAddress, remote: s.remoteAddress })),
    lanes,
    intervals: [],
    summaries: [],
    failure: undefined,
    tls,
  };
  const streamWord = streams.length === 1 ? "1 stream" : `${streams.length} streams`;
  printStatus(
    `bench: ${WHAT[direction]} ${formatAddress(target)}${
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
  const progress = new ProgressLine(ProgressLine.wanted(options.json));
  let mark = laneBytes();
  const clock = new IntervalClock(options.seconds, {
    interval(start, end) {
      const now = laneBytes();
      const interval: BenchInterval = { start, end, bytes: now.map((n, i) => n - mark[i]!) };
      mark = now;
      run.intervals.push(interval);
      progress.clear();
      if (!options.json) { for (const line of formatInterval(run, interval)) printLine(line); }
    },
    progress(elapsed) {
      const moved = laneBytes().reduce((sum, n) => sum + n, 0);
      progress.show(`${elapsed.toFixed(1).padStart(5)} s  ${formatTransfer(moved)}`);
    },
  });
  void options.stopped.then(() => clock.stop());
  // A stream that ends early (a failure, a source that ran dry) ends the run; the summary still prints.
  const failures = await Promise.all(streams.map(async (stream) => {
    const failure = await stream.run(clock);
    clock.stop();
    return failure;
  }));
  progress.clear();
  run.failure = failures.find((failure) => failure !== undefined);
  run.summaries = streams.map((stream) => summarise(run, stream));
  if (options.json) printLine(formatJson(run));
  else for (const line of formatSummary(run)) printLine(line);
  if (run.failure) {
    // Its hints name server.ts too: both as typed here.
    printError(asTypedHere(`client.ts: ${run.failure}`));
    return EXIT.failure;
  }
  return EXIT.ok;
}

// What each side moved: the intervals tell what this side did within the
// run; the stream tells what the far side confirmed after it.
function summarise(run: BenchRun, stream: BenchStream): StreamSummary {
  const seconds = run.intervals.at(-1)?.end ?? 0;
  const inRun = (sender: boolean) => {
    const index = run.lanes.findIndex((lane) => lane.id === stream.id && lane.sender === sender);
    const bytes = run.intervals.reduce((sum, interval) => sum + interval.bytes[index]!, 0);
    return { bytes, seconds };
  };
  switch (run.direction) {
    case "up":
      return { id: stream.id, sender: inRun(true), receiver: stream.confirmed };
    case "down":
      return { id: stream.id, sender: undefined, receiver: inRun(false) };
    case "both": {
      const echo = stream as EchoStream;
      return {
        id: stream.id,
        sender: echo.sentTotals,
        receiver: echo.confirmed,
        messages: { sent: echo.sentMessages, echoed: echo.receivedMessages },
      };
    }
  }
}
