import type { UdpBenchCount } from "./bench_bound.ts";
// What `udp.ts bench --direction up|down` prints as text: iperf3's UDP
// layout (the JSON is bench_one_way_json.ts's). Down's stream from socklab's
// chargen reads as iperf3 -u -R's; down's requests to another chargen keep
// their own words.
import { formatAddress } from "../../address/mod.ts";
import {
  type DownMode,
  lossPercent,
  type ReceiverCounts,
  REPORT_REQUESTS,
  type ReportProblem,
} from "../../measure/mod.ts";
import type { SocketAddress } from "../../net/mod.ts";
import type { FaultStats } from "../../udp/mod.ts";
import { commandFor } from "../mod.ts";
import { iperfHeader, iperfLine, streamLabel } from "../throughput/mod.ts";
import { explainDown } from "./bench_down_words.ts";
import { explainSendSide, heldBackLine, type SendSide } from "./send_side.ts";

/** One second of a one-way run, as this side counted it. */
export interface OneWayInterval {
  start: number;
  end: number;
  sentPackets: number;
  sentBytes: number;
  /** Datagrams that arrived here: down's answers (none for up). */
  packets: number;
  bytes: number;
  /** Down's stream: datagrams missing by sequence number, of the `sentPackets` the interval covered. */
  lost?: number;
  /** Down's stream: RFC 3550 jitter so far, ms. */
  jitterMs?: number;
}

/** Everything a report of a one-way run needs. */
export interface OneWayRun extends SendSide {
  direction: "up" | "down";
  target: SocketAddress;
  local: SocketAddress;
  startedAt: Date;
  /** up: each data datagram; down: each streamed datagram, or each request. */
  datagramBytes: number;
  /** This side's receive buffer: asked for (0: the default), and as the system reports it. */
  receiveBuffer: { asked: number; bytes: number | undefined };
  targetBitsPerSecond: number;
  /** Seconds asked for with --time; 0 when a count bounds the run. */
  duration: number;
  /** --bytes or --blockcount, as iperf3's -n and -k. */
  count?: UdpBenchCount;
  /** Seconds actually spent sending. */
  seconds: number;
  /** `performance.now()` when sending started. */
  startedAtMs: number;
  intervals: OneWayInterval[];
  /** up: data datagrams; down: what the server says it streamed, or the requests. */
  sent: { packets: number; bytes: number };
  /** What arrived here: down's answers, the last at `lastAtMs` (`performance.now()`). */
  here: { packets: number; bytes: number; lastAtMs: number };
  /** up: what the discard server says arrived; undefined when no credible report came. */
  report: ReceiverCounts | undefined;
  /** up: the server answered, but with no count of the run, or with one that cannot be true. */
  reportProblem?: ReportProblem;
  /** Datagrams dropped by full receive buffers on this PC during the run, where known. */
  bufferDrops: number | undefined;
  faults?: FaultStats;
  /** down: socklab's chargen's stream, or one request per answer (another chargen); undefined for up. */
  downMode?: DownMode;
  /** Down's stream: `sent` is the server's own count (true), or the highest sequence seen + 1. */
  senderCounted?: boolean;
  /** Down's stream: what the datagrams' sequence numbers and send times showed. */
  streamTally?: { jitterMs: number; duplicates: number; reordered: number };
}

/** Whether a run is down's stream from socklab's chargen. */
export function streamed(run: Pick<OneWayRun, "direction" | "downMode">): boolean {
  return run.direction === "down" && run.downMode === "stream";
}

/** The receiver's side, wherever it was counted; undefined when it is not known here. */
export interface ReceiverSide {
  /**
   * The receiver's own time: from the start to the last arrival, never less
   * than the sending time, so datagrams still queued when sending stopped do
   * not inflate the rate.
   */
  seconds: number;
  packets: number;
  bytes: number;
  /** null: the requests' answers carry no send time to measure it with. */
  jitterMs: number | null;
  outOfOrder: number | null;
  lost: number;
  lostPercent: number;
}

/** The receiver's figures: the server's report (up), or what arrived here (down). */
export function receiverSide(run: OneWayRun): ReceiverSide | undefined {
  const counts = run.direction === "up"
    ? run.report
    : {
      ...run.here,
      jitterMs: run.streamTally?.jitterMs ?? null,
      outOfOrder: run.streamTally?.reordered ?? null,
      spanMs: run.here.packets > 0 ? run.here.lastAtMs - run.startedAtMs : 0,
    };
  if (!counts) return undefined;
  const lost = Math.max(0, run.sent.packets - counts.packets);
  return {
    seconds: Math.max(run.seconds, counts.spanMs / 1000),
    packets: counts.packets,
    bytes: counts.bytes,
    jitterMs: counts.jitterMs,
    outOfOrder: counts.outOfOrder,
    lost,
    lostPercent: lossPercent(lost, run.sent.packets),
  };
}

const SEPARATOR = "- - - - - - - - - - - - - - - - - - - - - - - - -";
const LABEL = streamLabel(1);

function percent(value: number): string {
  return `${Number(value.toFixed(2))}%`;
}

/** The column header above the intervals, as iperf3 prints it for each direction. */
export function formatOneWayHeader(run: Pick<OneWayRun, "direction" | "downMode">): string {
  if (streamed(run)) return `${iperfHeader(5)}         Jitter    Lost/Total Datagrams`;
  return `${iperfHeader(5)}         ${
    run.direction === "up" ? "Total Datagrams" : "Lost/Total Datagrams"
  }`;
}

/** One interval: what was sent (up) or what arrived against the requests (down). */
export function formatOneWayInterval(
  run: Pick<OneWayRun, "direction" | "downMode">,
  interval: OneWayInterval,
): string {
  const seconds = interval.end - interval.start;
  if (run.direction === "up") {
    return iperfLine(
      LABEL,
      interval.start,
      interval.end,
      interval.sentBytes,
      seconds,
      `${interval.sentPackets}`,
    );
  }
  const lost = intervalLost(interval);
  // As iperf3 -R's receiver prints each second: the jitter so far, then the loss.
  const jitter = streamed(run) && interval.jitterMs !== undefined
    ? `${interval.jitterMs.toFixed(3)} ms  `
    : "";
  return iperfLine(
    LABEL,
    interval.start,
    interval.end,
    interval.bytes,
    seconds,
    `${jitter}${lost}/${interval.sentPackets} (${
      percent(lossPercent(lost, interval.sentPackets))
    })`,
  );
}

// Answers to the last requests of a second may arrive in the next: a rough
// figure per second. A stream's datagrams are numbered: its gaps are exact.
export function intervalLost(interval: OneWayInterval): number {
  return interval.lost ?? Math.max(0, interval.sentPackets - interval.packets);
}

/** The closing lines: the sender's and the receiver's, as far as each is known. */
export function formatOneWaySummary(run: OneWayRun): string[] {
  const lines = [SEPARATOR, `${iperfHeader(5)}         Jitter    Lost/Total Datagrams`];
  const receiver = receiverSide(run);
  const line = (bytes: number, note: string, seconds = run.seconds) =>
    iperfLine(LABEL, 0, seconds, bytes, seconds, note);
  if (run.direction === "up") {
    lines.push(line(run.sent.bytes, `${run.sent.packets} datagrams sent  sender`));
  } else if (streamed(run)) {
    // As iperf3 -R's sender line: the server's own count, unless it never came.
    const estimate = run.senderCounted ? "" : " (estimated here)";
    lines.push(line(run.sent.bytes, `${run.sent.packets} datagrams sent${estimate}  sender`));
  } else {
    lines.push(line(run.sent.bytes, `${run.sent.packets} requests sent  sender`));
  }
  if (receiver) {
    const jitter = receiver.jitterMs === null
      ? "    n/a"
      : `${receiver.jitterMs.toFixed(3)} ms`;
    lines.push(
      line(
        receiver.bytes,
        `${jitter}  ${receiver.lost}/${run.sent.packets} (${
          percent(receiver.lostPercent)
        })  receiver`,
        receiver.seconds,
      ),
    );
    if (streamed(run) && receiver.outOfOrder) {
      lines.push(
        `${LABEL} ${
          formatSpan(receiver.seconds)
        } sec  ${receiver.outOfOrder} datagrams received out-of-order`,
      );
    }
  }
  return lines;
}

function formatSpan(seconds: number): string {
  return `${(0).toFixed(2).padStart(6)}-${seconds.toFixed(2).padEnd(6)}`;
}

/**
 * What the figures mean and where the loss happened: on the path, or in a
 * receive buffer that overflowed (Linux's RcvbufErrors, on this PC only).
 */
export function explainOneWay(run: OneWayRun): string[] {
  const where = formatAddress(run.target);
  const lines: string[] = [];
  const held = heldBackLine(run);
  if (held) lines.push(held);
  const receiver = receiverSide(run);
  // An answer that gave no report is said in the bench's error line instead.
  if (run.direction === "up" && !receiver && !run.reportProblem) {
    lines.push(
      `no report from udp://${where}: only socklab's discard server (${
        commandFor("udp.ts")
      } server --mode discard) answers the report request (or all ${REPORT_REQUESTS} requests or `
        + `their answers were lost), so loss and jitter cannot be known from this side; the `
        + `receiver's count is on the server (socklab's prints it per peer at Ctrl-C, and each `
        + `report with -v)`,
    );
  }
  if (run.direction === "down") {
    lines.push(...explainDown(run.downMode, {
      senderCounted: run.senderCounted ?? false,
      duplicates: run.streamTally?.duplicates ?? 0,
    }));
  }
  // Nothing at all arrived: a buffer cannot have overflowed with what never came.
  if (!receiver || receiver.lost === 0 || receiver.packets === 0) return lines;
  // A stream's sender is the server: this PC sent only the requests that keep it going.
  const sendSide = streamed(run)
    ? { lines: [], explained: 0 }
    : explainSendSide(run, receiver.lost);
  lines.push(...sendSide.lines);
  const unexplained = receiver.lost - sendSide.explained;
  if (unexplained === 0) return lines;
  // down's requests can overflow the server's buffer too, which only its PC counts.
  const elsewhere = streamed(run)
    ? "the server's PC (sends its full interface queue dropped: run netstat -su there)"
    : run.direction === "down"
    ? "the server's PC (requests its full receive buffer dropped: run netstat -su there)"
    : "a server on another PC (run netstat -su there)";
  const side = run.direction === "down"
    ? "on this PC, the receiver"
    : "on this PC, the sender (the server's too if it runs here)";
  if (run.bufferDrops === undefined) {
    lines.push(
      "where the loss happened is unknown here: the count of datagrams dropped by full receive "
        + "buffers is Linux's RcvbufErrors (/proc/net/snmp; Deno reads it only with -A)",
    );
  } else if (run.bufferDrops === 0) {
    lines.push(
      `no datagram was dropped by a full receive buffer ${side}: ${
        unexplained < receiver.lost ? "the rest of " : ""
      }the loss was on the path or at ${elsewhere}`,
    );
  } else {
    const rest = run.bufferDrops >= unexplained
      ? "that accounts for the rest of the loss"
      : `the other ${unexplained - run.bufferDrops} were lost on the path or at ${elsewhere}`;
    lines.push(
      `${run.bufferDrops} datagrams were dropped by full receive buffers ${side} (Linux `
        + `RcvbufErrors, other programs' datagrams included): they arrived, but a program did `
        + `not read them in time; ${rest}`,
    );
  }
  return lines;
}
