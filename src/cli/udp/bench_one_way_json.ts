// `udp.ts bench --direction up|down --json`: one JSON object whose fields
// follow iperf3's UDP -J where they mean the same (down's stream as -u -R
// -J's), so scripts written for iperf3 read it; socklab's own under `socklab`.
import { formatAddress } from "../../address/mod.ts";
import {
  CHARGEN_ANSWER_BYTES,
  type DownMode,
  lossPercent,
  type ReportProblem,
} from "../../measure/mod.ts";
import { bitsPerSecond, iperfStart, reportJson } from "../throughput/mod.ts";
import {
  intervalLost,
  type OneWayRun,
  type ReceiverSide,
  receiverSide,
  streamed,
} from "./bench_one_way_report.ts";

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
 * The run as one line of JSON shaped like iperf3's UDP -J (down's stream as
 * -u -R -J). Where this side cannot know a figure (up's loss without a
 * report, the jitter of down's requests) it is null rather than a guess.
 * `sum_sent` is what the sender sent: up's data, the server's count of down's
 * stream, down's requests. socklab's own fields are under `socklab`.
 */
export function formatOneWayJson(run: OneWayRun): string {
  const up = run.direction === "up";
  const stream = streamed(run);
  const receiver = receiverSide(run);
  const unknown = { jitterMs: null, lost: null, lostPercent: null } as unknown as ReceiverSide;
  const sent = summary({ ...unknown, ...run.sent, seconds: run.seconds }, true);
  const received = receiver ? summary(receiver, false) : undefined;
  const intervals = run.intervals.map((interval) => {
    const seconds = interval.end - interval.start;
    const bytes = up ? interval.sentBytes : interval.bytes;
    const lost = intervalLost(interval);
    const entry = {
      start: interval.start,
      end: interval.end,
      seconds,
      bytes,
      bits_per_second: bitsPerSecond(bytes, seconds),
      ...(up ? {} : {
        // A stream's jitter so far, as iperf3 -R's receiver gives it each interval; none for requests.
        jitter_ms: interval.jitterMs ?? null,
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
    start: startJson(run),
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
        down_mode: up ? null : downMode(run),
        /** Down's stream: whether sum_sent is the server's own count, or this side's estimate. */
        sender_counted: stream ? run.senderCounted ?? false : null,
        receiver_report: up ? run.report !== undefined : null,
        /** up: why an answer gave no receiver's side: no count of the run, or an impossible one. */
        receiver_report_problem: up ? problemJson(run.reportProblem) : null,
        duplicates: up
          ? run.report?.duplicates ?? null
          : stream
          ? run.streamTally?.duplicates ?? null
          : null,
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

/**
 * A run that never started, as iperf3 -J reports one: what was asked for,
 * no intervals, an empty end, and `error` saying why.
 */
export function formatOneWayFailureJson(run: OneWayRun, error: string): string {
  return reportJson({ start: startJson(run), intervals: [], end: {}, error });
}

function downMode(run: OneWayRun): DownMode {
  return run.downMode ?? "requests";
}

function startJson(run: OneWayRun) {
  const up = run.direction === "up";
  const requests = !up && downMode(run) === "requests";
  return {
    ...iperfStart([{ id: 1, local: run.local, remote: run.target }], run.target, run.startedAt),
    target_bitrate: run.targetBitsPerSecond,
    // As iperf3 names them: the buffer asked for (its -w), and what the system reports.
    sock_bufsize: run.receiveBuffer.asked,
    ...(run.receiveBuffer.bytes === undefined ? {} : { rcvbuf_actual: run.receiveBuffer.bytes }),
    test_start: {
      protocol: "UDP",
      num_streams: 1,
      // Down's requests ask for chargen's answers; its stream is of the datagrams asked for.
      blksize: requests ? CHARGEN_ANSWER_BYTES : run.datagramBytes,
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
      ...(up ? {} : { down_mode: downMode(run) }),
      ...(requests ? { request_bytes: run.datagramBytes } : {}),
    },
  };
}
