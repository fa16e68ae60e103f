import { formatAddress } from "../../address.ts";
import { settlesWithin } from "../../async/deadline.ts";
import { delay } from "../../async/delay.ts";
import { Waiters } from "../../async/waiters.ts";
import {
  BenchDatagrams,
  bitsPerSecond,
  formatBytes,
  formatMbits,
  formatSpan,
  IntervalClock,
  lossPercent,
  lostBetween,
  ProgressLine,
  readBenchHeader,
  reportJson,
  UdpTally,
  type UdpTallySnapshot,
} from "../bench/mod.ts";
import { printError, printLine, printStatus } from "../output.ts";
import { EXIT } from "../run_main.ts";
import { onStopSignal } from "../signals.ts";
import { UsageError } from "../usage_error.ts";
import { silenceExplanation } from "./explain.ts";
import type { UdpBenchOptions } from "./options.ts";
import { openUdpTarget } from "./target.ts";

// Pacing tick: short enough that a burst per tick stays small next to socket buffers.
const TICK_MS = 5;
// A late tick may catch up at most this much sending, so a stall does not become a flood.
const MAX_BURST_MS = 50;
// Echoes still in flight when sending stops get this long to arrive.
const FINAL_WAIT_MS = 1000;

/** One report interval of a UDP bench. */
export interface UdpInterval {
  start: number;
  end: number;
  sentDatagrams: number;
  sentBytes: number;
  sentBitsPerSecond: number;
  receivedDatagrams: number;
  receivedBytes: number;
  receivedBitsPerSecond: number;
  lost: number;
  lossPercent: number;
  jitterMs: number;
}

/**
 * Runs `udp.ts bench`: sends numbered, timestamped datagrams at the target
 * rate to an echo server, prints a line per second and a summary with loss,
 * duplicates, reordering and jitter (or one JSON object).
 * @returns 0 when any echo came back, 1 when none did.
 * @throws {UsageError} when `--size` is over the UDP limit for the server's IP version.
 */
export async function runUdpBench(options: UdpBenchOptions): Promise<number> {
  const tally = new UdpTally();
  const runId = crypto.getRandomValues(new Uint32Array(1))[0]!;
  const echoed = new Waiters();
  let unrecognised = 0;
  const { address, endpoint } = await openUdpTarget(
    options.host,
    options.port,
    false,
    ({ message }) => {
      const header = readBenchHeader(message.bytes);
      const verdict = header?.runId === runId
        ? tally.recordEcho(header.seq, header.sentAtMs, performance.now(), message.size)
        : "unknown";
      if (verdict === "unknown") unrecognised++;
      echoed.release();
    },
  );
  const where = formatAddress(address);
  try {
    const limit = endpoint.limitFor(address);
    if (options.size > limit) {
      throw new UsageError(
        `--size must be at most ${limit} bytes for one UDP datagram to ${where}, got '${options.size}'`,
      );
    }
    printStatus(
      `bench: ${options.size}-byte datagrams to udp://${where} at ${
        formatMbits(options.bitsPerSecond)
      } for ${options.seconds} s`,
    );
    const intervals = await measure(
      options,
      tally,
      runId,
      (bytes) => endpoint.send(bytes, address),
    );
    const deadline = Date.now() + FINAL_WAIT_MS;
    while (tally.snapshot().received < tally.snapshot().sent && Date.now() < deadline) {
      await settlesWithin(echoed.wait(), deadline - Date.now());
    }
    report(options, where, intervals, tally.snapshot(), unrecognised);
  } finally {
    await endpoint.close();
  }
  if (tally.snapshot().received > 0) return EXIT.ok;
  printError(
    `udp.ts: no echoes from ${where}; ${silenceExplanation()} (bench needs an echo server: udp.ts server)`,
  );
  return EXIT.failure;
}

// Paces the sends with a token bucket refilled every tick, and collects the intervals.
async function measure(
  options: UdpBenchOptions,
  tally: UdpTally,
  runId: number,
  send: (bytes: Uint8Array) => void,
): Promise<UdpInterval[]> {
  const datagrams = new BenchDatagrams(options.size);
  const bytesPerMs = options.bitsPerSecond / 8 / 1000;
  const burst = Math.max(options.size, bytesPerMs * MAX_BURST_MS);
  const progress = new ProgressLine(ProgressLine.wanted(options.json));
  const intervals: UdpInterval[] = [];
  let mark = tally.snapshot();
  const clock = new IntervalClock(options.seconds, {
    interval(start, end) {
      const now = tally.snapshot();
      const interval = intervalBetween(start, end, mark, now);
      mark = now;
      intervals.push(interval);
      progress.clear();
      if (!options.json) printLine(formatUdpInterval(interval));
    },
    progress(elapsed) {
      const now = tally.snapshot();
      progress.show(
        `${elapsed.toFixed(1).padStart(5)} s  sent ${now.sent} datagrams  echoed ${now.received}`,
      );
    },
  });
  onStopSignal(() => clock.stop());
  let tokens = options.size;
  let last = performance.now();
  while (!clock.isFinished) {
    const now = performance.now();
    tokens = Math.min(burst, tokens + (now - last) * bytesPerMs);
    last = now;
    while (tokens >= options.size && !clock.isFinished) {
      tokens -= options.size;
      const seq = tally.recordSent(options.size);
      send(datagrams.build({ runId, seq, sentAtMs: performance.now() }));
    }
    await Promise.race([delay(TICK_MS), clock.finished]);
  }
  progress.clear();
  return intervals;
}

function intervalBetween(
  start: number,
  end: number,
  before: UdpTallySnapshot,
  after: UdpTallySnapshot,
): UdpInterval {
  const seconds = end - start;
  const sentBytes = after.sentBytes - before.sentBytes;
  const receivedBytes = after.receivedBytes - before.receivedBytes;
  const lost = lostBetween(before, after);
  return {
    start,
    end,
    sentDatagrams: after.sent - before.sent,
    sentBytes,
    sentBitsPerSecond: bitsPerSecond(sentBytes, seconds),
    receivedDatagrams: after.received - before.received,
    receivedBytes,
    receivedBitsPerSecond: bitsPerSecond(receivedBytes, seconds),
    lost,
    lossPercent: lossPercent(lost, after.highestSeq - before.highestSeq),
    jitterMs: after.jitterMs,
  };
}

function report(
  options: UdpBenchOptions,
  where: string,
  intervals: UdpInterval[],
  total: UdpTallySnapshot,
  unrecognised: number,
): void {
  const seconds = intervals.at(-1)?.end ?? 0;
  const lost = total.sent - total.received;
  const summary = {
    seconds,
    sent: total.sent,
    sentBytes: total.sentBytes,
    sentBitsPerSecond: bitsPerSecond(total.sentBytes, seconds),
    received: total.received,
    receivedBytes: total.receivedBytes,
    receivedBitsPerSecond: bitsPerSecond(total.receivedBytes, seconds),
    lost,
    lossPercent: lossPercent(lost, total.sent),
    duplicates: total.duplicates,
    reordered: total.reordered,
    jitterMs: total.jitterMs,
    unrecognised,
  };
  if (options.json) {
    printLine(reportJson({
      protocol: "udp",
      server: where,
      datagramBytes: options.size,
      targetBitsPerSecond: options.bitsPerSecond,
      seconds: options.seconds,
      intervals,
      summary,
    }));
    return;
  }
  printLine("- - - - - - - - - - - - - - - - - - - - - - - - -");
  printLine(
    `${formatSpan(0, seconds)}  sender   ${formatBytes(summary.sentBytes).padStart(10)} ${
      formatMbits(summary.sentBitsPerSecond).padStart(14)
    }  ${summary.sent} datagrams of ${options.size} bytes`,
  );
  printLine(
    `${formatSpan(0, seconds)}  receiver ${formatBytes(summary.receivedBytes).padStart(10)} ${
      formatMbits(summary.receivedBitsPerSecond).padStart(14)
    }  ${summary.received} datagrams, ${lost}/${summary.sent} lost (${
      formatPercent(summary.lossPercent)
    }), ${summary.duplicates} duplicates, ${summary.reordered} reordered, jitter ${
      summary.jitterMs.toFixed(3)
    } ms${unrecognised > 0 ? `, ${unrecognised} unrecognised` : ""}`,
  );
}

/** One interval as iperf prints a UDP report: rates each way, jitter, loss. */
function formatUdpInterval(interval: UdpInterval): string {
  const expected = interval.lost + interval.receivedDatagrams;
  return `${formatSpan(interval.start, interval.end)}  sent ${
    formatBytes(interval.sentBytes).padStart(10)
  } ${formatMbits(interval.sentBitsPerSecond).padStart(13)}   echoed ${
    formatBytes(interval.receivedBytes).padStart(10)
  } ${formatMbits(interval.receivedBitsPerSecond).padStart(13)}   jitter ${
    interval.jitterMs.toFixed(3)
  } ms   lost ${interval.lost}/${expected} (${formatPercent(interval.lossPercent)})`;
}

function formatPercent(percent: number): string {
  return `${Number(percent.toFixed(2))}%`;
}
