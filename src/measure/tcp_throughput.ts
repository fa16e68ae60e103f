import type { FramingName } from "../framing/mod.ts";
import {
  connect,
  openTcp,
  type TlsConnectOptions,
  type TlsSession,
  tlsSession,
} from "../tcp/mod.ts";
import { type ClientTlsChoice, clientTlsOptions } from "../tls/mod.ts";
import { IntervalClock } from "./clock.ts";
import { EchoStream } from "./tcp_echo_stream.ts";
import { endGraceMs } from "./tcp_grace.ts";
import type { BenchDirection, BenchInterval, BenchRun, Lane, StreamSummary } from "./tcp_run.ts";
import { type BenchStream, DownloadStream, UploadStream } from "./tcp_streams.ts";

/** What a TCP throughput run does: `client.ts --bench`'s flags, as data. */
export interface TcpThroughputOptions {
  /** The server's host name or IP literal. */
  host: string;
  /** The server's port. */
  port: number;
  /** `both` runs only: how messages are delimited. */
  framing: FramingName;
  /** `both` runs only: the largest frame accepted back. */
  maxFrameBytes: number;
  /**
   * For connecting; after the run, when longer than `BENCH_END_GRACE_MS`, how
   * long the server has to take the rest and send its FIN or last echoes.
   */
  timeoutMs: number;
  /** How long to move bytes. */
  seconds: number;
  /** up: to a discard server; down: from chargen or any source; both: through an echo server. */
  direction: BenchDirection;
  /** Connections at once, as iperf3's -P. */
  parallel: number;
  /** Bytes per write (up) or per message, framing not counted (both). */
  size: number;
  /** Resolves to end the run early (Ctrl-C); what was measured is still returned. */
  stopped?: Promise<void>;
  /** TLS, with how the server is trusted; plain TCP when absent. */
  tls?: ClientTlsChoice;
}

/** What a caller hears while a run goes on; each is optional. */
export interface TcpThroughputObserver {
  /** The first stream's TLS handshake finished: what it negotiated. */
  tlsSession?(session: TlsSession): void;
  /** Every stream is connected; bytes start to move. */
  started?(run: BenchRun): void;
  /** A report interval ended (each second): bytes per lane. */
  interval?(run: BenchRun, interval: BenchInterval): void;
  /** A few times a second: seconds so far, bytes moved in all. */
  progress?(elapsedSeconds: number, bytes: number): void;
}

/**
 * Measures TCP throughput as iperf3 does: opens `parallel` connections to a
 * discard (`up`), chargen or any source (`down`) or echo server (`both`,
 * where each echo is checked byte for byte), moves bytes for `seconds`, and
 * returns what each stream sent and the far side confirmed, per second and
 * in all. A stream that fails ends the run, with `failure` saying why.
 * @example
 * ```ts
 * import { measureTcpThroughput, serve } from "../../mod.ts";
 * const server = await serve({ host: "127.0.0.1", port: 0 }, (message) => message.bytes);
 * const run = await measureTcpThroughput({
 *   host: "127.0.0.1",
 *   port: server.address.port,
 *   direction: "both",
 *   seconds: 1,
 *   parallel: 1,
 *   size: 1024,
 *   framing: "line",
 *   maxFrameBytes: 64 * 1024,
 *   timeoutMs: 2000,
 * });
 * await server.close();
 * const echoed = run.summaries[0]?.receiver?.bytes ?? 0;
 * if (run.failure || echoed === 0) throw new Error(run.failure ?? "nothing echoed");
 * ```
 * @throws {NetError} when a connection cannot be opened.
 */
export async function measureTcpThroughput(
  options: TcpThroughputOptions,
  observer: TcpThroughputObserver = {},
): Promise<BenchRun> {
  const streams: BenchStream[] = [];
  const closers: (() => void)[] = [];
  // Read before connecting, so a CA file that is not there fails before any traffic.
  const tls = options.tls && { ...clientTlsOptions(options.tls), serverName: options.host };
  // What the first stream's handshake gave: every stream reaches the same server.
  let session: TlsSession | undefined;
  const shaken = (id: number, shown: TlsSession | undefined) => {
    if (id !== 1 || !shown) return;
    session = shown;
    observer.tlsSession?.(shown);
  };
  try {
    for (let id = 1; id <= options.parallel; id++) {
      streams.push(await open(id, options, tls, closers, shaken));
    }
    return await measure(streams, options, session, observer);
  } finally {
    for (const close of closers) close();
  }
}

async function open(
  id: number,
  options: TcpThroughputOptions,
  tls: TlsConnectOptions | undefined,
  closers: (() => void)[],
  shaken: (id: number, session: TlsSession | undefined) => void,
): Promise<BenchStream> {
  const address = { host: options.host, port: options.port, timeoutMs: options.timeoutMs, tls };
  if (options.direction === "both") {
    const connection = await connect({
      ...address,
      framing: options.framing,
      maxFrameBytes: options.maxFrameBytes,
    });
    closers.push(() => connection.close());
    shaken(id, connection.tls);
    return new EchoStream(id, connection, options.size, endGraceMs(options.timeoutMs));
  }
  const connection = await openTcp(address);
  closers.push(() => connection.close());
  shaken(id, await tlsSession(connection));
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
  options: TcpThroughputOptions,
  tls: TlsSession | undefined,
  observer: TcpThroughputObserver,
): Promise<BenchRun> {
  const { direction } = options;
  const lanes = lanesOf(streams, direction);
  const count = (lane: Lane, stream: BenchStream) =>
    lane.sender ? stream.sentBytes : stream.receivedBytes;
  const byId = new Map(streams.map((stream) => [stream.id, stream]));
  const laneBytes = () => lanes.map((lane) => count(lane, byId.get(lane.id)!));
  const run: BenchRun = {
    direction,
    target: streams[0]!.remoteAddress,
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
  observer.started?.(run);
  let mark = laneBytes();
  const clock = new IntervalClock(options.seconds, {
    interval(start, end) {
      const now = laneBytes();
      const interval: BenchInterval = { start, end, bytes: now.map((n, i) => n - mark[i]!) };
      mark = now;
      run.intervals.push(interval);
      observer.interval?.(run, interval);
    },
    progress(elapsed) {
      observer.progress?.(elapsed, laneBytes().reduce((sum, n) => sum + n, 0));
    },
  });
  void options.stopped?.then(() => clock.stop());
  // A stream that ends early (a failure, a source that ran dry) ends the run.
  const failures = await Promise.all(streams.map(async (stream) => {
    const failure = await stream.run(clock);
    clock.stop();
    return failure;
  }));
  run.failure = failures.find((failure) => failure !== undefined);
  run.summaries = streams.map((stream) => summarise(run, stream));
  return run;
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
