import { formatAddress } from "../../address.ts";
import { settlesWithin } from "../../async/deadline.ts";
import { FramingError } from "../../framing/mod.ts";
import type { Connection } from "../../tcp_client.ts";
import {
  bitsPerSecond,
  EchoPattern,
  formatBytes,
  formatMbits,
  formatSpan,
  IntervalClock,
  ProgressLine,
  reportJson,
  yieldToEventLoop,
} from "../bench/mod.ts";
import { describeError } from "../describe_error.ts";
import { printError, printLine, printStatus } from "../output.ts";
import { EXIT } from "../run_main.ts";

// Unsent bytes allowed to pile up before the sender waits: enough to keep the
// socket busy between wake-ups, small enough that memory stays flat.
const HIGH_WATER_BYTES = 512 * 1024;
// Bytes sent between yields when the socket takes everything at once, so
// echoes are read and intervals reported on time.
const YIELD_EVERY_BYTES = 256 * 1024;

/** How `client.ts --bench` runs. */
export interface TcpBenchOptions {
  seconds: number;
  /** Bytes per message, without framing. */
  size: number;
  /** Print one JSON report on stdout instead of text. */
  json: boolean;
  /** How long to wait for the last echoes after the half-close. */
  drainTimeoutMs: number;
  /** Resolves when the user asks to stop early (Ctrl-C); the summary is still printed. */
  stopped: Promise<void>;
}

/** Bytes on the wire in both directions during one report interval. */
export interface TcpInterval {
  start: number;
  end: number;
  sentBytes: number;
  sentBitsPerSecond: number;
  receivedBytes: number;
  receivedBitsPerSecond: number;
}

/** One direction's totals for the final report. */
export interface TcpSideSummary {
  seconds: number;
  bytes: number;
  bitsPerSecond: number;
  messages: number;
}

interface Counters {
  /** Wire bytes handed to `send`, framing included. */
  queuedBytes: number;
  sentMessages: number;
  receivedBytes: number;
  receivedMessages: number;
  /** Seconds since the start when the last echo arrived. */
  lastEchoAt: number;
  failure: string | undefined;
}

/**
 * Runs `client.ts --bench`: streams numbered messages to an echo server for
 * `seconds` while reading and checking the echoes, prints a line per second
 * and a sender/receiver summary (or one JSON object).
 * @returns 0 when every echo came back intact, 1 otherwise.
 */
export async function runTcpBench(
  connection: Connection,
  options: TcpBenchOptions,
): Promise<number> {
  const target = formatAddress(connection.remoteAddress);
  const framing = connection.framing.name;
  const overhead = framing === "line" ? 1 : 4;
  const pattern = new EchoPattern(options.size);
  const counters: Counters = {
    queuedBytes: 0,
    sentMessages: 0,
    receivedBytes: 0,
    receivedMessages: 0,
    lastEchoAt: 0,
    failure: undefined,
  };
  const sentToOs = () => counters.queuedBytes - connection.bufferedBytes;
  const progress = new ProgressLine(ProgressLine.wanted(options.json));
  const intervals: TcpInterval[] = [];
  let mark = { sent: 0, received: 0 };
  printStatus(
    `bench: ${options.size}-byte messages (${framing} framing) to ${target} for ${options.seconds} s`,
  );
  const clock = new IntervalClock(options.seconds, {
    interval(start, end) {
      const sent = sentToOs();
      const interval = measured(
        start,
        end,
        sent - mark.sent,
        counters.receivedBytes - mark.received,
      );
      mark = { sent, received: counters.receivedBytes };
      intervals.push(interval);
      progress.clear();
      if (!options.json) printLine(formatTcpInterval(interval));
    },
    progress(elapsed) {
      progress.show(
        `${elapsed.toFixed(1).padStart(5)} s  sent ${formatBytes(sentToOs())}  received ${
          formatBytes(counters.receivedBytes)
        }`,
      );
    },
  });
  void options.stopped.then(() => clock.stop());

  const receiving = receiveEchoes(connection, pattern, overhead, counters, clock);
  // A bad echo or a dead connection ends the run at once; the summary still prints.
  void receiving.then((failure) => {
    if (!failure) return;
    counters.failure ??= failure;
    clock.stop();
  });

  let seq = 0;
  let sinceYield = 0;
  let closed = false;
  void connection.closed.then(() => (closed = true));
  while (!clock.isFinished && !closed) {
    connection.send(pattern.message(seq++));
    counters.sentMessages++;
    counters.queuedBytes += options.size + overhead;
    sinceYield += options.size + overhead;
    if (connection.bufferedBytes > HIGH_WATER_BYTES) {
      sinceYield = 0;
      await connection.flushed();
    } else if (sinceYield >= YIELD_EVERY_BYTES) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }
  await connection.flushed();
  const senderSeconds = clock.elapsed();
  progress.clear();
  if (!closed) await connection.end();

  const failure = await waitForEchoes(receiving, counters, options.drainTimeoutMs);
  if (failure) counters.failure ??= failure;
  const sender = side(senderSeconds, sentToOs(), counters.sentMessages);
  const receiver = side(counters.lastEchoAt, counters.receivedBytes, counters.receivedMessages);
  if (counters.receivedMessages === 0 && !counters.failure) {
    counters.failure =
      `no echoes from ${target} (is it an echo server, server.ts --mode echo, with the same --framing?)`;
  }
  if (options.json) {
    printLine(reportJson({
      protocol: "tcp",
      server: target,
      framing,
      messageBytes: options.size,
      seconds: options.seconds,
      intervals,
      summary: { sender, receiver },
      ...(counters.failure ? { error: counters.failure } : {}),
    }));
  } else {
    printLine("- - - - - - - - - - - - - - - - - - - - - - - - -");
    printLine(formatSide(sender, "sender"));
    printLine(
      `${formatSide(receiver, "receiver")}${counters.failure ? "" : ", every echoed byte matches"}`,
    );
  }
  if (counters.failure) {
    printError(`client.ts: ${counters.failure}`);
    return EXIT.failure;
  }
  return EXIT.ok;
}

// Reads echoes until the server closes; returns why it stopped early, if it did.
async function receiveEchoes(
  connection: Connection,
  pattern: EchoPattern,
  overhead: number,
  counters: Counters,
  clock: IntervalClock,
): Promise<string | undefined> {
  let seq = 0;
  try {
    for (;;) {
      const echo = await connection.receive();
      if (echo === null) return undefined;
      const offset = pattern.mismatch(seq, echo.bytes);
      if (offset !== -1) {
        connection.close();
        return `echo of message ${seq + 1} differs from what was sent at byte ${offset} `
          + `(${echo.size} bytes came back for ${pattern.size} sent; is the server in echo mode?)`;
      }
      seq++;
      counters.receivedMessages++;
      counters.receivedBytes += echo.size + overhead;
      counters.lastEchoAt = clock.elapsed();
    }
  } catch (error) {
    const hint = error instanceof FramingError ? " (does --framing match the server's?)" : "";
    return `${describeError(error)}${hint}`;
  }
}

// After the half-close: every echo back, the server closed, or the wait ran out.
async function waitForEchoes(
  receiving: Promise<string | undefined>,
  counters: Counters,
  timeoutMs: number,
): Promise<string | undefined> {
  let outcome: string | undefined;
  const finished = await settlesWithin(receiving.then((value) => (outcome = value)), timeoutMs);
  if (finished) return outcome ?? missing(counters, "the server closed");
  return missing(counters, `gave up after ${timeoutMs / 1000} s`);
}

function missing(counters: Counters, why: string): string | undefined {
  const owed = counters.sentMessages - counters.receivedMessages;
  if (owed <= 0) return undefined;
  return `${owed} of ${counters.sentMessages} messages were not echoed (${why})`;
}

function measured(start: number, end: number, sent: number, received: number): TcpInterval {
  const seconds = end - start;
  return {
    start,
    end,
    sentBytes: sent,
    sentBitsPerSecond: bitsPerSecond(sent, seconds),
    receivedBytes: received,
    receivedBitsPerSecond: bitsPerSecond(received, seconds),
  };
}

function side(seconds: number, bytes: number, messages: number): TcpSideSummary {
  return { seconds, bytes, bitsPerSecond: bitsPerSecond(bytes, seconds), messages };
}

/** One interval as iperf prints it: span, bytes and rate each way. */
function formatTcpInterval(interval: TcpInterval): string {
  return `${formatSpan(interval.start, interval.end)}  sent ${
    formatBytes(interval.sentBytes).padStart(10)
  } ${formatMbits(interval.sentBitsPerSecond).padStart(14)}   received ${
    formatBytes(interval.receivedBytes).padStart(10)
  } ${formatMbits(interval.receivedBitsPerSecond).padStart(14)}`;
}

function formatSide(summary: TcpSideSummary, role: string): string {
  return `${formatSpan(0, summary.seconds)}  ${role.padEnd(8)} ${
    formatBytes(summary.bytes).padStart(10)
  } ${formatMbits(summary.bitsPerSecond).padStart(14)}  ${summary.messages} messages`;
}
