import { formatAddress } from "../../address/mod.ts";
import { settlesWithin, Waiters } from "../../async/mod.ts";
import { UsageError } from "../../errors/mod.ts";
import type { FaultStats } from "../../udp/mod.ts";
import { asTypedHere, EXIT, onStopSignal, printError, printLine, printStatus } from "../mod.ts";
import {
  BenchDatagrams,
  bitsPerSecond,
  countUdpDrops,
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
} from "../throughput/mod.ts";
import { boundWords, clockSeconds, datagramsFor } from "./bench_bound.ts";
import { runOneWayBench } from "./bench_one_way.ts";
import { paceSends, type Pacing, sentQueued } from "./bench_pace.ts";
import { silenceExplanation } from "./explain.ts";
import { faultSummary, startFaults } from "./fault_text.ts";
import type { UdpBenchOptions } from "./options.ts";
import { explainSendSide, heldBackLine } from "./send_side.ts";
import { openUdpTarget } from "./target.ts";

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
 * Runs `udp.ts bench`; `--direction up` and `down` are in bench_one_way.ts.
 * Both ways (the default): sends numbered, timestamped datagrams at the target
 * rate to an echo server, prints a line per second and a summary with loss,
 * duplicates, reordering and jitter (or one JSON object).
 * @returns 0 when any echo came back, 1 when none did.
 * @throws {UsageError} when `--size` is over the UDP limit for the server's IP version.
 */
export async function runUdpBench(options: UdpBenchOptions): Promise<number> {
  if (options.direction !== "both") return runOneWayBench(options);
  const tally = new UdpTally();
  const runId = crypto.getRandomValues(new Uint32Array(1))[0]!;
  const echoed = new Waiters();
  let unrecognised = 0;
  const faults = startFaults(options.faults, { verbose: false, json: false });
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
    undefined,
    faults,
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
      } ${boundWords(options.count, options.seconds, options.size)}`,
    );
    const dropsSince = countUdpDrops();
    const errorsBefore = endpoint.stats.errors;
    const { intervals, heldBackMs, sentShare } = await measure(
      options,
      tally,
      runId,
      (bytes) => endpoint.send(bytes, address),
      () => endpoint.queuedDatagrams,
    );
    // Delayed and held-back datagrams are still to go: the wait starts once they have.
    if (faults) await faults.finish();
    await sentQueued(endpoint);
    const deadline = Date.now() + FINAL_WAIT_MS;
    // With --dup, the copies of the last echoes may still be on their way.
    const owed = () =>
      tally.snapshot().received < tally.snapshot().sent || faults?.echoesOwed === true;
    while (owed() && Date.now() < deadline) {
      await settlesWithin(echoed.wait(), deadline - Date.now());
    }
    if (faults) printStatus(faultSummary(faults));
    const drops = dropsSince();
    const bufferDrops = drops.receiveBuffer;
    const total = tally.snapshot();
    const sendSide = {
      seconds: intervals.at(-1)?.end ?? 0,
      heldBackMs,
      sentShare,
      sendErrors: endpoint.stats.errors - errorsBefore,
      sendBufferDrops: drops.sendBuffer,
    };
    if (!options.json) {
      const held = heldBackLine(sendSide);
      if (held) printStatus(held);
    }
    const lost = total.sent - total.received;
    if (lost > 0 && !options.json) {
      const { lines, explained } = explainSendSide(sendSide, lost);
      for (const line of lines) printStatus(line);
      if (lost > explained) printStatus(explainLoss(bufferDrops, lost - explained));
    }
    report(options, where, intervals, total, unrecognised, faults?.stats, bufferDrops, heldBackMs);
  } finally {
    await endpoint.close();
  }
  if (tally.snapshot().received > 0) return EXIT.ok;
  printError(
    asTypedHere(
      `udp.ts: no echoes from ${where}; ${silenceExplanation()} (bench needs an echo server: udp.ts server)`,
    ),
  );
  return EXIT.failure;
}

// Paces the sends with a token bucket refilled every tick, and collects the intervals.
async function measure(
  options: UdpBenchOptions,
  tally: UdpTally,
  runId: number,
  send: (bytes: Uint8Array) => void,
  queued: () => number,
): Promise<{ intervals: UdpInterval[] } & Pacing> {
  const datagrams = new BenchDatagrams(options.size);
  const progress = new ProgressLine(ProgressLine.wanted(options.json));
  const intervals: UdpInterval[] = [];
  let mark = tally.snapshot();
  const clock = new IntervalClock(clockSeconds(options.count, options.seconds), {
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
  const pacing = await paceSends(
    options.bitsPerSecond,
    options.size,
    clock,
    () => {
      const seq = tally.recordSent(options.size);
      send(datagrams.build({ runId, seq, sentAtMs: performance.now() }));
    },
    queued,
    options.count ? datagramsFor(options.count, options.size) : Infinity,
  );
  progress.clear();
  return { intervals, ...pacing };
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
  faults: FaultStats | undefined,
  bufferDrops: number | undefined,
  heldBackMs: number,
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
    /** Datagrams dropped by full receive buffers on this PC during the run; null where unknown. */
    bufferDrops: bufferDrops ?? null,
    /** Time the sender waited for this PC to take what it had sent (a link slower than --rate). */
    senderWaitedSeconds: Number((heldBackMs / 1000).toFixed(3)),
  };
  if (options.json) {
    printLine(reportJson({
      protocol: "udp",
      server: where,
      datagramBytes: options.size,
      targetBitsPerSecond: options.bitsPerSecond,
      // A counted run lasts what the count took; its bound is given as iperf3's -n or -k.
      seconds: options.count ? seconds : options.seconds,
      ...(options.count && { count: options.count }),
      intervals,
      summary,
      ...(faults && { faults }),
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

// Loss on the path and loss in a full receive buffer look the same to the
// sequence numbers; the OS counts the second kind, where it can be read.
function explainLoss(bufferDrops: number | undefined, lost: number): string {
  if (bufferDrops === undefined) {
    return "where the loss happened is unknown here: the count of datagrams dropped by full "
      + "receive buffers is Linux's RcvbufErrors (/proc/net/snmp; Deno reads it only with -A)";
  }
  const where = "on this PC (this client, and the server too if it runs here)";
  if (bufferDrops === 0) {
    return `no datagram was dropped by a full receive buffer ${where}: the loss was on the path `
      + `or at a server on another PC (run netstat -su there)`;
  }
  const rest = bufferDrops >= lost
    ? "that accounts for all the loss"
    : `the other ${lost - bufferDrops} were lost on the path or at the server's PC`;
  return `${bufferDrops} datagrams were dropped by full receive buffers ${where} (Linux `
    + `RcvbufErrors, other programs' datagrams included): they arrived, but a program did not `
    + `read them in time; ${rest}`;
}

function formatPercent(percent: number): string {
  return `${Number(percent.toFixed(2))}%`;
}
