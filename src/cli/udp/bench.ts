import { formatAddress } from "../../address/mod.ts";
import {
  measureUdpThroughput,
  type UdpThroughputInterval,
  type UdpThroughputResult,
} from "../../measure/mod.ts";
import { asTypedHere, EXIT, onStopSignal, printError, printLine, printStatus } from "../mod.ts";
import {
  bitsPerSecond,
  formatBytes,
  formatMbits,
  formatSpan,
  ProgressLine,
  reportJson,
} from "../throughput/mod.ts";
import { boundWords, sizeOverLimit } from "./bench_bound.ts";
import { runOneWayBench } from "./bench_one_way.ts";
import { silenceExplanation } from "./explain.ts";
import { faultSummary, startFaults } from "./fault_text.ts";
import type { UdpBenchOptions } from "./options.ts";
import { explainSendSide, heldBackLine } from "./send_side.ts";
import { benchNetErrorLines } from "./udp_error_facts.ts";

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
  const faults = startFaults(options.faults, { verbose: false, json: false });
  const progress = new ProgressLine(ProgressLine.wanted(options.json));
  const stop = new AbortController();
  const intervals: UdpInterval[] = [];
  const result = await measureUdpThroughput({
    host: options.host,
    port: options.port,
    direction: "both",
    bitsPerSecond: options.bitsPerSecond,
    size: options.size,
    seconds: options.seconds,
    count: options.count,
    faults,
    signal: stop.signal,
  }, {
    onStart({ target }) {
      printStatus(
        `bench: ${options.size}-byte datagrams to udp://${formatAddress(target)} at ${
          formatMbits(options.bitsPerSecond)
        } ${boundWords(options.count, options.seconds, options.size)}`,
      );
      onStopSignal(() => stop.abort());
    },
    onInterval(counted) {
      const interval = udpInterval(counted);
      intervals.push(interval);
      progress.clear();
      if (!options.json) printLine(formatUdpInterval(interval));
    },
    onProgress({ elapsedSeconds, sentDatagrams, receivedDatagrams }) {
      progress.show(
        `${
          elapsedSeconds.toFixed(1).padStart(5)
        } s  sent ${sentDatagrams} datagrams  echoed ${receivedDatagrams}`,
      );
    },
    onSent: () => progress.clear(),
    onNetworkError: benchNetErrorLines(),
  });
  const where = formatAddress(result.target);
  if (result.failure === "too large") throw sizeOverLimit(result, where);
  if (faults) printStatus(faultSummary(faults));
  const sendSide = {
    seconds: result.seconds,
    heldBackMs: result.heldBackMs,
    sentShare: result.sentShare,
    sendErrors: result.sendErrors,
    sendBufferDrops: result.sendBufferDrops,
  };
  if (!options.json) {
    const held = heldBackLine(sendSide);
    if (held) printStatus(held);
  }
  const lost = result.lost ?? 0;
  if (lost > 0 && !options.json) {
    const { lines, explained } = explainSendSide(sendSide, lost);
    for (const line of lines) printStatus(line);
    if (lost > explained) printStatus(explainLoss(result.bufferDrops, lost - explained));
  }
  report(options, where, intervals, result);
  if (result.failure !== "no echoes") return EXIT.ok;
  printError(
    asTypedHere(
      `udp.ts: no echoes from ${where}; ${silenceExplanation()} (bench needs an echo server: udp.ts server)`,
    ),
  );
  return EXIT.failure;
}

// The engine's interval with its rates, as `--json` and the interval lines give it.
function udpInterval(counted: UdpThroughputInterval): UdpInterval {
  const seconds = counted.end - counted.start;
  return {
    start: counted.start,
    end: counted.end,
    sentDatagrams: counted.sentDatagrams,
    sentBytes: counted.sentBytes,
    sentBitsPerSecond: bitsPerSecond(counted.sentBytes, seconds),
    receivedDatagrams: counted.receivedDatagrams,
    receivedBytes: counted.receivedBytes,
    receivedBitsPerSecond: bitsPerSecond(counted.receivedBytes, seconds),
    lost: counted.lost ?? 0,
    lossPercent: counted.lossPercent ?? 0,
    jitterMs: counted.jitterMs ?? 0,
  };
}

function report(
  options: UdpBenchOptions,
  where: string,
  intervals: UdpInterval[],
  result: UdpThroughputResult,
): void {
  const seconds = result.seconds;
  const lost = result.lost ?? 0;
  const unrecognised = result.unrecognised;
  const summary = {
    seconds,
    sent: result.sent.datagrams,
    sentBytes: result.sent.bytes,
    sentBitsPerSecond: bitsPerSecond(result.sent.bytes, seconds),
    received: result.received.datagrams,
    receivedBytes: result.received.bytes,
    receivedBitsPerSecond: bitsPerSecond(result.received.bytes, seconds),
    lost,
    lossPercent: result.lossPercent ?? 0,
    duplicates: result.duplicates ?? 0,
    reordered: result.reordered ?? 0,
    jitterMs: result.jitterMs ?? 0,
    unrecognised,
    /** Datagrams dropped by full receive buffers on this PC during the run; null where unknown. */
    bufferDrops: result.bufferDrops ?? null,
    /** Time the sender waited for this PC to take what it had sent (a link slower than --rate). */
    senderWaitedSeconds: Number((result.heldBackMs / 1000).toFixed(3)),
  };
  const faults = result.faults;
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
