// What a throughput run prints: iperf3's text layout, or one JSON object whose
// fields follow iperf3's -J where they mean the same, so scripts written for
// iperf3 read it (start, intervals[].streams[], intervals[].sum,
// end.sum_sent, end.sum_received with bytes, seconds, bits_per_second).
import { formatAddress } from "../../address/mod.ts";
import type { BenchInterval, BenchRun, Lane, SideTotals } from "../../measure/mod.ts";
import {
  bitsPerSecond,
  iperfHeader,
  iperfLine,
  iperfStart,
  reportJson,
  streamLabel,
} from "../throughput/mod.ts";

const SEPARATOR = "- - - - - - - - - - - - - - - - - - - - - - - - -";

function tag(run: BenchRun, lane: Lane): string | undefined {
  if (run.direction !== "both") return undefined;
  return lane.sender ? "TX" : "RX";
}

function labelWidth(run: BenchRun): number {
  return run.direction === "both" ? 9 : 5;
}

/** The column header, printed before the first interval. */
export function formatHeader(run: Pick<BenchRun, "direction">): string {
  return iperfHeader(run.direction === "both" ? 9 : 5);
}

/** The lines of one interval: one per lane, then a [SUM] per direction with several streams. */
export function formatInterval(run: BenchRun, interval: BenchInterval): string[] {
  const seconds = interval.end - interval.start;
  // With several streams iperf3 parts each second's group from the last.
  const lines = run.streams.length > 1 && interval.start > 0 ? [SEPARATOR] : [];
  lines.push(...run.lanes.map((lane, i) =>
    iperfLine(
      streamLabel(lane.id, tag(run, lane)),
      interval.start,
      interval.end,
      interval.bytes[i]!,
      seconds,
    )
  ));
  if (run.streams.length > 1) {
    for (const sender of laneDirections(run)) {
      const bytes = sumWhere(run, interval, sender);
      const label = streamLabel("SUM", tag(run, { id: 0, sender }));
      lines.push(iperfLine(label, interval.start, interval.end, bytes, seconds));
    }
  }
  return lines;
}

function laneDirections(run: BenchRun): boolean[] {
  return [...new Set(run.lanes.map((lane) => lane.sender))];
}

function sumWhere(run: BenchRun, interval: BenchInterval, sender: boolean): number {
  let bytes = 0;
  run.lanes.forEach((lane, i) => {
    if (lane.sender === sender) bytes += interval.bytes[i]!;
  });
  return bytes;
}

function total(sides: (SideTotals | undefined)[]): SideTotals | undefined {
  const known = sides.filter((side): side is SideTotals => side !== undefined);
  if (known.length === 0 || known.length < sides.length) return undefined;
  return {
    bytes: known.reduce((sum, side) => sum + side.bytes, 0),
    seconds: Math.max(...known.map((side) => side.seconds)),
  };
}

/** The closing lines: each stream's sender and receiver, then their sums, as iperf3 ends a test. */
export function formatSummary(run: BenchRun): string[] {
  const lines = [SEPARATOR, formatHeader(run)];
  const width = labelWidth(run);
  const both = run.direction === "both";
  const line = (id: number | "SUM", sender: boolean, side: SideTotals, note: string) => {
    const label = streamLabel(id, both ? (sender ? "TX" : "RX") : undefined).padEnd(width);
    return iperfLine(label, 0, side.seconds, side.bytes, side.seconds, note);
  };
  const rows = [...run.summaries];
  if (run.summaries.length > 1) {
    rows.push({
      id: -1,
      sender: total(run.summaries.map((s) => s.sender)),
      receiver: total(run.summaries.map((s) => s.receiver)),
    });
  }
  for (const summary of rows) {
    const id = summary.id === -1 ? "SUM" : summary.id;
    const messages = summary.id === -1
      ? run.summaries.reduce((sum, s) => sum + (s.messages?.sent ?? 0), 0)
      : summary.messages?.sent;
    const echoed = summary.id === -1
      ? run.summaries.reduce((sum, s) => sum + (s.messages?.echoed ?? 0), 0)
      : summary.messages?.echoed;
    if (summary.sender && run.direction !== "down") {
      lines.push(
        line(id, true, summary.sender, both ? `sender    ${messages} messages` : "sender"),
      );
    }
    if (summary.receiver) {
      const checked = both && !run.failure ? ", every echoed byte matches" : "";
      lines.push(
        line(
          id,
          false,
          summary.receiver,
          both ? `receiver  ${echoed} messages${checked}` : "receiver",
        ),
      );
    }
  }
  return lines;
}

function side(id: number | undefined, totals: SideTotals, sender: boolean) {
  return {
    ...(id === undefined ? {} : { socket: id }),
    start: 0,
    end: totals.seconds,
    seconds: totals.seconds,
    bytes: totals.bytes,
    bits_per_second: bitsPerSecond(totals.bytes, totals.seconds),
    sender,
  };
}

function intervalEntry(start: number, end: number, bytes: number, sender: boolean) {
  return {
    start,
    end,
    seconds: end - start,
    bytes,
    bits_per_second: bitsPerSecond(bytes, end - start),
    omitted: false,
    sender,
  };
}

/**
 * The run as one line of JSON shaped like iperf3's -J. A download knows only
 * what arrived, so its `sum_sent` repeats `sum_received`; socklab's own
 * fields (`socklab` in start and end) add the direction and echo counts.
 */
export function formatJson(run: BenchRun): string {
  const forward = run.direction !== "down";
  const intervals = run.intervals.map((interval) => {
    const entry: Record<string, unknown> = {
      streams: run.lanes.map((lane, i) => ({
        socket: lane.id,
        ...intervalEntry(interval.start, interval.end, interval.bytes[i]!, lane.sender),
      })),
      sum: intervalEntry(interval.start, interval.end, sumWhere(run, interval, forward), forward),
    };
    if (run.direction === "both") {
      entry.sum_bidir_reverse = intervalEntry(
        interval.start,
        interval.end,
        sumWhere(run, interval, false),
        false,
      );
    }
    return entry;
  });
  const sent = total(run.summaries.map((s) => run.direction === "down" ? s.receiver : s.sender));
  const received = total(run.summaries.map((s) => s.receiver));
  const end: Record<string, unknown> = {
    streams: run.summaries.map((s) => ({
      ...(s.sender || run.direction === "down"
        ? { sender: side(s.id, (run.direction === "down" ? s.receiver : s.sender)!, true) }
        : {}),
      ...(s.receiver ? { receiver: side(s.id, s.receiver, false) } : {}),
    })),
    ...(sent ? { sum_sent: side(undefined, sent, true) } : {}),
    ...(received ? { sum_received: side(undefined, received, false) } : {}),
  };
  if (run.direction === "both") {
    end.socklab = {
      messages_sent: run.summaries.reduce((sum, s) => sum + (s.messages?.sent ?? 0), 0),
      messages_echoed: run.summaries.reduce((sum, s) => sum + (s.messages?.echoed ?? 0), 0),
      every_echo_matches: !run.failure,
    };
  }
  const report = {
    start: {
      ...iperfStart(run.streams, run.target, run.startedAt),
      test_start: {
        protocol: "TCP",
        num_streams: run.streams.length,
        blksize: run.blockBytes,
        omit: 0,
        duration: run.seconds,
        bytes: 0,
        blocks: 0,
        reverse: run.direction === "down" ? 1 : 0,
        bidir: run.direction === "both" ? 1 : 0,
      },
      socklab: {
        direction: run.direction,
        server: formatAddress(run.target),
        ...(run.framing ? { framing: run.framing } : {}),
        // Whether the bytes were encrypted matters to a figure: TLS costs CPU per byte.
        tls: run.tls ?? null,
      },
    },
    intervals,
    end,
    ...(run.failure ? { error: run.failure } : {}),
  };
  return reportJson(report);
}
