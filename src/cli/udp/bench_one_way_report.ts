import type { UdpBenchCount } from "./bench_bound.ts";
// What `udp.ts bench --direction up|down` prints: iperf3's UDP layout, or one
// JSON object whose fields follow iperf3's UDP -J where they mean the same
// (end.sum with jitter_ms, lost_packets, packets, lost_percent; sum_sent and
// sum_received), so scripts written for iperf3 read it.
import { formatAddress } from "../../address/mod.ts";
import {
  CHARGEN_ANSWER_BYTES,
  lossPercent,
  type ReceiverCounts,
  REPORT_REQUESTS,
  type ReportProblem,
} from "../../measure/mod.ts";
import type { SocketAddress } from "../../net/mod.ts";
import type { FaultStats } from "../../udp/mod.ts";
import { commandFor } from "../mod.ts";
import {
  bitsPerSecond,
  iperfHeader,
  iperfLine,
  iperfStart,
  reportJson,
  streamLabel,
} from "../throughput/mod.ts";
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
}

/** Everything a report of a one-way run needs. */
export interface OneWayRun extends SendSide {
  direction: "up" | "down";
  target: SocketAddress;
  local: SocketAddress;
  startedAt: Date;
  /** up: each data datagram; down: each request. */
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
  /** up: data datagrams; down: requests. */
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
}

/** The receiver's side, wherever it was counted; undefined when it is not known here. */
interface ReceiverSide {
  /**
   * The receiver's own time: from the start to the last arrival, never less
   * than the sending time, so datagrams still queued when sending stopped do
   * not inflate the rate.
   */
  seconds: number;
  packets: number;
  bytes: number;
  /** null: chargen's answers carry no send time to measure it with. */
  jitterMs: number | null;
  outOfOrder: number | null;
  lost: number;
  lostPercent: number;
}

function receiverSide(run: OneWayRun): ReceiverSide | undefined {
  const counts = run.direction === "up"
    ? run.report
    : {
      ...run.here,
      jitterMs: null,
      outOfOrder: null,
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
export function formatOneWayHeader(run: Pick<OneWayRun, "direction">): string {
  return `${iperfHeader(5)}         ${
    run.direction === "up" ? "Total Datagrams" : "Lost/Total Datagrams"
  }`;
}

/** One interval: what was sent (up) or what arrived against the requests (down). */
export function formatOneWayInterval(
  run: Pick<OneWayRun, "direction">,
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
  // Answers to the last requests of a second may arrive in the next: a rough figure per second.
  const lost = Math.max(0, interval.sentPackets - interval.packets);
  return iperfLine(
    LABEL,
    interval.start,
    interval.end,
    interval.bytes,
    seconds,
    `${lost}/${interval.sentPackets} (${percent(lossPercent(lost, interval.sentPackets))})`,
  );
}

/** The closing lines: the sender's and the receiver's, as far as each is known. */
export function formatOneWaySummary(run: OneWayRun): string[] {
  const lines = [SEPARATOR, `${iperfHeader(5)}         Jitter    Lost/Total Datagrams`];
  const receiver = receiverSide(run);
  const line = (bytes: number, note: string, seconds = run.seconds) =>
    iperfLine(LABEL, 0, seconds, bytes, seconds, note);
  if (run.direction === "up") {
    lines.push(line(run.sent.bytes, `${run.sent.packets} datagrams sent  sender`));
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
  }
  return lines;
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
    lines.push(
      "down: each request asks for one answer, so lost = requests without an answer (the "
        + "request or its answer was lost); jitter is n/a: chargen's answers carry no send time",
    );
  }
  // Nothing at all arrived: a buffer cannot have overflowed with what never came.
  if (!receiver || receiver.lost === 0 || receiver.packets === 0) return lines;
  const sendSide = explainSendSide(run, receiver.lost);
  lines.push(...sendSide.lines);
  const unexplained = receiver.lost - sendSide.explained;
  if (unexplained === 0) return lines;
  // down's requests can overflow the server's buffer too, which only its PC counts.
  const elsewhere = run.direction === "down"
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

function problemJson(problem: ReportProblem | undefined) {
  if (!problem) return null;
  return problem.kind === "missing"
    ? { kind: "missing", reason: problem.reason }
    : { kind: "not_credible", doubt: problem.doubt };
}

function summary(counts: Omit<ReceiverSide, "outOfOrder">, sender: boolean) {
  return {
    start: 0,
    end: counts.seconds,
    seconds: counts.seconds,
    bytes: counts.bytes,
    bits_per_second: bitsPerSecond(counts.bytes, counts.seconds),
    jitter_ms: counts.jitterMs,
    lost_packets: counts.lost,
    packets: counts.packets,
    lost_percent: counts.lostPercent,
    sender,
  };
}

/**
 * The run as one line of JSON shaped like iperf3's UDP -J. Where this side
 * cannot know a figure (up's loss without a report, down's jitter) it is
 * null rather than a guess. `sum_sent` is what this client sent: up's data,
 * down's requests. socklab's own fields are under `socklab`.
 */
export function formatOneWayJson(run: OneWayRun): string {
  const up = run.direction === "up";
  const receiver = receiverSide(run);
  const unknown = { jitterMs: null, lost: null, lostPercent: null } as unknown as ReceiverSide;
  const sent = summary({ ...unknown, ...run.sent, seconds: run.seconds }, true);
  const received = receiver ? summary(receiver, false) : undefined;
  const intervals = run.intervals.map((interval) => {
    const seconds = interval.end - interval.start;
    const bytes = up ? interval.sentBytes : interval.bytes;
    const lost = Math.max(0, interval.sentPackets - interval.packets);
    const entry = {
      start: interval.start,
      end: interval.end,
      seconds,
      bytes,
      bits_per_second: bitsPerSecond(bytes, seconds),
      ...(up ? {} : {
        jitter_ms: null,
        lost_packets: lost,
        lost_percent: lossPercent(lost, interval.sentPackets),
      }),
      packets: up ? interval.sentPackets : interval.packets,
      omitted: false,
      sender: up,
    };
    return { streams: [{ socket: 1, ...entry }], sum: entry };
  });
  // iperf3's end.sum is the receiver's view where it has one.
  const sum = received ?? sent;
  return reportJson({
    start: {
      ...iperfStart([{ id: 1, local: run.local, remote: run.target }], run.target, run.startedAt),
      target_bitrate: run.targetBitsPerSecond,
      // As iperf3 names them: the buffer asked for (its -w), and what the system reports.
      sock_bufsize: run.receiveBuffer.asked,
      ...(run.receiveBuffer.bytes === undefined ? {} : { rcvbuf_actual: run.receiveBuffer.bytes }),
      test_start: {
        protocol: "UDP",
        num_streams: 1,
        blksize: up ? run.datagramBytes : CHARGEN_ANSWER_BYTES,
        omit: 0,
        duration: run.duration,
        bytes: run.count && "bytes" in run.count ? run.count.bytes : 0,
        blocks: run.count && "datagrams" in run.count ? run.count.datagrams : 0,
        reverse: up ? 0 : 1,
        bidir: 0,
        target_bitrate: run.targetBitsPerSecond,
      },
      socklab: {
        direction: run.direction,
        server: formatAddress(run.target),
        ...(up ? {} : { request_bytes: run.datagramBytes }),
      },
    },
    intervals,
    end: {
      streams: [{
        udp: {
          socket: 1,
          ...sum,
          out_of_order: receiver?.outOfOrder ?? null,
          sender: sum.sender,
        },
      }],
      sum,
      sum_sent: sent,
      ...(received ? { sum_received: received } : {}),
      socklab: {
        direction: run.direction,
        receiver_report: up ? run.report !== undefined : null,
        /** up: why an answer gave no receiver's side: no count of the run, or an impossible one. */
        receiver_report_problem: up ? problemJson(run.reportProblem) : null,
        duplicates: up ? run.report?.duplicates ?? null : null,
        /** Datagrams dropped by full receive buffers on this PC; null where unknown. */
        buffer_drops: run.bufferDrops ?? null,
        buffer_drops_side: up ? "sender" : "receiver",
        send_errors: run.sendErrors,
        /** Linux's SndbufErrors over the run (sends that found no room); null where unknown. */
        send_buffer_drops: run.sendBufferDrops ?? null,
        /** Time the sender waited for this PC to take what it had sent (a link slower than --rate). */
        sender_waited_seconds: Number((run.heldBackMs / 1000).toFixed(3)),
        ...(run.faults ? { faults: run.faults } : {}),
      },
    },
  });
}
