// The UDP throughput lab's engine: what `udp.ts bench` measures, as numbers.
// It paces numbered datagrams at a rate, counts what comes back (echoes,
// chargen's answers) or asks socklab's discard server what arrived, and
// returns the counts; how they are shown is the CLI's.
import { isIpv6, sameAddress } from "../address/mod.ts";
import { settlesWithin, Waiters } from "../async/mod.ts";
import { resolveHost } from "../discovery/mod.ts";
import { CHARGEN_FULL_REQUEST_BYTES } from "../modes/mod.ts";
import type { SocketAddress } from "../net/mod.ts";
import { bindUdp, type FaultStats, type UdpEndpoint, type UdpFaults } from "../udp/mod.ts";
import { IntervalClock } from "./clock.ts";
import { isBenchControl } from "./udp_bench_control.ts";
import { clockSeconds, datagramsFor, type UdpBenchCount } from "./udp_bench_count.ts";
import { countUdpDrops } from "./udp_buffer_drops.ts";
import { BenchDatagrams, readBenchHeader, UDP_BENCH_HEADER_BYTES } from "./udp_header.ts";
import { paceSends, type Pacing, sentQueued } from "./udp_pace.ts";
import type { ReceiverCounts } from "./udp_receiver_tally.ts";
import {
  buildReportRequest,
  type MissingReason,
  readReportAnswer,
  type ReportAnswer,
} from "./udp_report.ts";
import { reportDoubt } from "./udp_report_check.ts";
import { StreamReceiver } from "./udp_stream_receiver.ts";
import { lossPercent, lostBetween, UdpTally, type UdpTallySnapshot } from "./udp_tally.ts";

/** How many times an up run asks for the receiver's report before giving up. */
export const REPORT_REQUESTS = 3;

/** Bytes socklab's UDP chargen puts in each answer (RFC 864's largest): what down's rate counts. */
export const CHARGEN_ANSWER_BYTES = 512;

const REPORT_WAIT_MS = 400;
// Echoes and answers still in flight when sending stops get this long to arrive.
const FINAL_WAIT_MS = 1000;
const DEFAULT_SECONDS = 10;

/**
 * Which way a UDP throughput run's data goes, seen from the client: `both`
 * off an echo server, `up` to a discard server (or any sink), `down` from a
 * chargen server.
 */
export type UdpThroughputDirection = "both" | "up" | "down";

/** What {@linkcode measureUdpThroughput} is asked to do. */
export interface UdpThroughputOptions {
  /** The server's host name or IP literal, resolved once. */
  host: string;
  /** The server's UDP port. */
  port: number;
  /** `both` (the default), `up` or `down`. */
  direction?: UdpThroughputDirection;
  /**
   * Target sending rate in bits per second of payload: datagrams for `both`
   * and `up`; for `down`, socklab's chargen's stream, or the 512-byte answers
   * asked for ({@linkcode CHARGEN_ANSWER_BYTES}) from another chargen.
   */
  bitsPerSecond: number;
  /**
   * Bytes per datagram (UDP payload): sent for `both` and `up`, streamed by
   * socklab's chargen for `down` (another chargen answers its own size).
   */
  size: number;
  /** How long to send, in seconds, when `count` is not given; 10 unless given. */
  seconds?: number;
  /** A number of bytes or datagrams to send instead of a time, as iperf3's `-n` and `-k`. */
  count?: UdpBenchCount;
  /** Faults to inject on this side's socket, sent and received; none when undefined. */
  faults?: UdpFaults | undefined;
  /** Ends the sending early (Ctrl-C): the partial last interval is counted and the run reported. */
  signal?: AbortSignal;
  /**
   * The receive buffer to ask for on this side's socket, where `down`'s
   * answers and `both`'s echoes arrive; 0 keeps the system's default.
   * @default {4 MiB: see UDP_BENCH_RECEIVE_BUFFER_BYTES}
   */
  receiveBufferBytes?: number;
}

/**
 * The receive buffer a bench run's socket, and socklab's UDP server, ask for:
 * 1 Gbit/s of 1,472-byte datagrams fills Linux's default (208 KiB) in under 2 ms
 * of a busy program not reading, and this much holds about 30 ms of it.
 */
export const UDP_BENCH_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** One report interval, as this side counted it; times in seconds since the start. */
export interface UdpThroughputInterval {
  /** Seconds from the start to the interval's start. */
  start: number;
  /** Seconds from the start to the interval's end. */
  end: number;
  /** Datagrams sent in the interval: data (`both`, `up`) or requests (`down`). */
  sentDatagrams: number;
  /** Their bytes of UDP payload. */
  sentBytes: number;
  /** What arrived here: echoes for `both`, answers for `down`, none for `up`. */
  receivedDatagrams: number;
  /** Their bytes of UDP payload. */
  receivedBytes: number;
  /** `both` and down's stream: datagrams missing by sequence number in the interval. */
  lost?: number;
  /** `both` and down's stream: `lost` as a share of the sequence numbers the interval covered, in percent. */
  lossPercent?: number;
  /** `both` and down's stream: RFC 3550 jitter so far, in milliseconds. */
  jitterMs?: number;
}

/** What the run knows when sending starts. */
export interface UdpThroughputStart {
  /** The server, its host resolved to an IP literal. */
  target: SocketAddress;
  /** The local socket the run sends from. */
  local: SocketAddress;
  /** Bytes of each datagram sent: `size`, down's streamed datagrams, or down's request. */
  datagramBytes: number;
  /** The receive buffer asked for on the local socket; 0 when the system's default was kept. */
  receiveBufferAsked: number;
  /** The receive buffer the system reports for the local socket; undefined where it cannot say. */
  receiveBufferBytes: number | undefined;
  /** `down`: how the server serves the run (see {@linkcode DownMode}). */
  downMode?: DownMode;
}

/**
 * How a `down` run is served: `stream`, socklab's chargen streams bench
 * datagrams at the rate, as `iperf3 -R` does, once a cookie round trip has
 * shown it this address receives (see `udp_stream_protocol.ts`); `requests`,
 * any other chargen, one request per answer of its own size.
 */
export type DownMode = "stream" | "requests";

/** Where a run is, a few times a second. */
export interface UdpThroughputProgress {
  /** Seconds since sending started. */
  elapsedSeconds: number;
  /** Datagrams sent so far. */
  sentDatagrams: number;
  /** Echoes (`both`) or answers (`down`) so far; 0 for `up`. */
  receivedDatagrams: number;
}

/** What {@linkcode measureUdpThroughput} tells while it runs; every callback is optional. */
export interface UdpThroughputObserver {
  /** The target is resolved and the socket bound: sending starts now. */
  onStart?(start: UdpThroughputStart): void;
  /** An interval ended: normally a whole second, the last one may be shorter. */
  onInterval?(interval: UdpThroughputInterval): void;
  /** A few times a second while sending, for a live progress line. */
  onProgress?(progress: UdpThroughputProgress): void;
  /** Sending is over; the wait for the last replies or the receiver's report follows. */
  onSent?(): void;
  /**
   * The socket reported an error (Bun hears ICMP port and host unreachable,
   * Deno a send the kernel refused); the run goes on and counts the loss.
   */
  onNetworkError?(error: Error, target: SocketAddress): void;
}

/**
 * Why an `up` run shows no receiver's figures although the receiver answered:
 * it holds no count of the run, or its report cannot be true.
 */
export type ReportProblem =
  | { kind: "missing"; reason: MissingReason }
  | { kind: "not credible"; doubt: string };

/**
 * Why a run did not measure what it was asked to:
 * - `too large`: `size` is over `limitBytes` for the target's IP version; nothing was sent;
 * - `no echoes`: `both` got nothing back;
 * - `no answers`: `down` got nothing back;
 * - `report missing`, `report not credible`: see `reportProblem`;
 * - `nothing arrived`: the receiver reports none of `up`'s datagrams arrived;
 * - `stream refused`: socklab's chargen turned `down`'s stream away (see `streamRefusal`).
 */
export type UdpThroughputFailure =
  | "too large"
  | "no echoes"
  | "no answers"
  | "report missing"
  | "report not credible"
  | "nothing arrived"
  | "stream refused";

/** The numbers of a UDP throughput run. */
export interface UdpThroughputResult {
  /** Which way the data went. */
  direction: UdpThroughputDirection;
  /** The server, its host resolved to an IP literal. */
  target: SocketAddress;
  /** The local socket the run sent from. */
  local: SocketAddress;
  /** The largest datagram this socket may send to the target. */
  limitBytes: number;
  /** The receive buffer asked for on the local socket; 0 when the system's default was kept. */
  receiveBufferAsked: number;
  /** The receive buffer the system reports for the local socket; undefined where it cannot say. */
  receiveBufferBytes: number | undefined;
  /** Bytes of each datagram sent: `size`, or `down`'s request. */
  datagramBytes: number;
  /** When sending started. */
  startedAt: Date;
  /** `performance.now()` when sending started. */
  startedAtMs: number;
  /** Seconds spent sending: the end of the last interval. */
  seconds: number;
  /** Each interval, in order. */
  intervals: UdpThroughputInterval[];
  /** Data datagrams (`both`, `up`) or requests (`down`) sent. */
  sent: { datagrams: number; bytes: number };
  /**
   * What arrived here: distinct echoes (`both`), answers (`down`, the last at
   * `lastAtMs`, a `performance.now()`); none for `up`.
   */
  received: { datagrams: number; bytes: number; lastAtMs: number };
  /**
   * Datagrams sent and not received: by this side's count (`both`, `down`) or
   * the receiver's report (`up`); undefined when `up` got no credible report.
   */
  lost: number | undefined;
  /** `lost` as a share of what was sent, in percent. */
  lossPercent: number | undefined;
  /** RFC 3550 jitter in ms: of the echoes, the receiver's, or down's stream; undefined for down's requests. */
  jitterMs: number | undefined;
  /** Datagrams that arrived more than once (`both`, or the receiver's count for `up`). */
  duplicates: number | undefined;
  /** Datagrams that arrived after a later one (`both`, or the receiver's count for `up`). */
  reordered: number | undefined;
  /** `both`: datagrams that came back but were not this run's. */
  unrecognised: number;
  /** `up`: what socklab's discard server counted; undefined when no credible report came. */
  report: ReceiverCounts | undefined;
  /** `up`: the receiver answered, but with no count of the run or an impossible one. */
  reportProblem?: ReportProblem;
  /** `down`: the answers were the requests sent back, as an echo server does. */
  echoedRequests: boolean;
  /** `down`: how the server served the run; undefined for `both` and `up`. */
  downMode?: DownMode;
  /**
   * `down` streamed: whether `sent` is the server's own count (its last
   * STATUS came), or, when false, the highest sequence number that arrived.
   */
  senderCounted?: boolean;
  /**
   * `down`: why socklab's chargen turned the stream away: `busy` (this host
   * has one, or it runs as many as it does), `refused` (over its limits: its
   * fastest rate is `maxBitsPerSecond`), `expired` (the cookie was stale).
   */
  streamRefusal?: { state: "busy" | "refused" | "expired"; maxBitsPerSecond: number };
  /** Time the sender waited for this PC to take what it had sent (a link slower than the rate). */
  heldBackMs: number;
  /** What was sent as a share of what the rate asked for: 1 when the sender kept up. */
  sentShare: number;
  /** Sends that failed on this PC during the run. */
  sendErrors: number;
  /** Linux's SndbufErrors over the run, where readable. */
  sendBufferDrops: number | undefined;
  /** Linux's RcvbufErrors over the run (every program's), where readable. */
  bufferDrops: number | undefined;
  /** What the injected faults did, when there were any. */
  faults?: FaultStats;
  /** Why the run measured nothing, or less than asked; undefined when it went well. */
  failure?: UdpThroughputFailure;
}

interface Counts {
  sent: { datagrams: number; bytes: number };
  received: { datagrams: number; bytes: number; lastAtMs: number };
}

/**
 * Measures UDP throughput against a server as `udp.ts bench` does, printing
 * nothing: sends numbered, timestamped datagrams at `bitsPerSecond` for
 * `seconds` (or `count`), then returns what was sent, what came back, loss,
 * duplicates, reordering and jitter. `both` needs an echo server, `up` any
 * sink (socklab's discard server also reports what arrived: see
 * {@linkcode BenchReceiver}), `down` a chargen server.
 *
 * @param options Where, which way, how fast, how long; faults and a stop signal.
 * @param observer Hears the start, each interval and progress while it runs.
 * @returns The run's numbers; `failure` says why it measured nothing, if so.
 * @throws {NetError} when the host cannot be resolved or no socket can be bound.
 * @example
 * ```ts
 * import { echo, measureUdpThroughput, serveUdp } from "../../mod.ts";
 * const server = await serveUdp({ host: "127.0.0.1", port: 0 }, echo);
 * const result = await measureUdpThroughput({
 *   host: "127.0.0.1",
 *   port: server.localAddress.port,
 *   bitsPerSecond: 800_000,
 *   size: 1000,
 *   count: { datagrams: 20 },
 * });
 * await server.close();
 * if (result.sent.datagrams !== 20 || result.lost !== 0) throw new Error("lost on loopback");
 * ```
 */
export async function measureUdpThroughput(
  options: UdpThroughputOptions,
  observer: UdpThroughputObserver = {},
): Promise<UdpThroughputResult> {
  const direction = options.direction ?? "both";
  const up = direction === "up";
  const runId = crypto.getRandomValues(new Uint32Array(1))[0]!;
  const tally = new UdpTally();
  const counts: Counts = {
    sent: { datagrams: 0, bytes: 0 },
    received: { datagrams: 0, bytes: 0, lastAtMs: 0 },
  };
  const arrived = new Waiters();
  const faults = options.faults;
  let unrecognised = 0;
  let echoedRequests = false;
  let answer: ReportAnswer | undefined;
  let answerAtMs = 0;
  // Only an answer to a request is one: whatever came before was not asked for.
  let asked = false;
  const down = direction === "down";
  // down first asks for socklab's stream; until it knows, nothing is counted as an answer.
  let stream: StreamReceiver | undefined;
  let downMode: DownMode | undefined;
  const onReply: (bytes: Uint8Array, size: number) => void = direction === "both"
    ? (bytes, size) => {
      const header = readBenchHeader(bytes);
      const verdict = header?.runId === runId
        ? tally.recordEcho(header.seq, header.sentAtMs, performance.now(), size)
        : "unknown";
      if (verdict === "unknown") unrecognised++;
    }
    : up
    ? (bytes) => {
      if (asked && !answer) {
        answer = readReportAnswer(bytes, runId);
        answerAtMs = performance.now();
      }
    }
    : (bytes, size) => {
      if (downMode !== "requests") {
        stream?.take(bytes, performance.now());
        return;
      }
      // An echo server sends the request itself back: it is the wrong server.
      if (readBenchHeader(bytes)?.runId === runId) echoedRequests = true;
      counts.received.datagrams++;
      counts.received.bytes += size;
      counts.received.lastAtMs = performance.now();
    };
  const target = { hostname: await resolveHost(options.host), port: options.port };
  // Every interface of the target's IP version, so replies from another PC arrive too.
  const receiveBufferAsked = options.receiveBufferBytes ?? UDP_BENCH_RECEIVE_BUFFER_BYTES;
  const endpoint = await bindUdp({
    host: isIpv6(target.hostname) ? "::" : "0.0.0.0",
    port: 0,
    faults,
    // The faults are a lesson about the data: iperf3 sends its control over TCP.
    spareFromFaults: isBenchControl,
    receiveBufferBytes: receiveBufferAsked > 0 ? receiveBufferAsked : undefined,
    onDatagram({ message, from }) {
      // Replies from anyone but the server are not the run's.
      if (!sameAddress(from, target)) return;
      onReply(message.bytes, message.size);
      arrived.release();
    },
    onError: (error) => observer.onNetworkError?.(error, target),
  });
  try {
    if (down) {
      if (options.size > endpoint.limitFor(target)) {
        const large = startingResult(direction, target, endpoint, receiveBufferAsked, options.size);
        large.failure = "too large";
        return large;
      }
      stream = new StreamReceiver({
        runId,
        bitsPerSecond: options.bitsPerSecond,
        datagramBytes: options.size,
        durationMs: clockSeconds(options.count, options.seconds ?? DEFAULT_SECONDS) * 1000,
        datagrams: options.count ? Math.min(datagramsFor(options.count, options.size), MAX_U32) : 0,
      }, (bytes) => endpoint.send(bytes, target));
      const outcome = await stream.open();
      downMode = outcome.kind === "stream" ? "stream" : "requests";
      if (outcome.kind === "requests") echoedRequests = outcome.echoed;
      if (outcome.kind === "refused") {
        const refused = startingResult(
          direction,
          target,
          endpoint,
          receiveBufferAsked,
          options.size,
        );
        refused.failure = "stream refused";
        refused.downMode = "stream";
        refused.streamRefusal = {
          state: outcome.state,
          maxBitsPerSecond: outcome.maxBitsPerSecond,
        };
        return refused;
      }
    }
    const streamed = downMode === "stream";
    // A smaller request would be answered with less: chargen sends at most three times what it got.
    const datagramBytes = down && !streamed
      ? Math.max(UDP_BENCH_HEADER_BYTES, CHARGEN_FULL_REQUEST_BYTES)
      : options.size;
    // down's rate and count are of the answers it asks for.
    const unitBytes = down && !streamed ? CHARGEN_ANSWER_BYTES : datagramBytes;
    const result = startingResult(direction, target, endpoint, receiveBufferAsked, datagramBytes);
    result.sent = counts.sent;
    result.received = counts.received;
    result.downMode = downMode;
    if (datagramBytes > result.limitBytes) {
      result.failure = "too large";
      return result;
    }
    observer.onStart?.({
      target,
      local: endpoint.localAddress,
      datagramBytes,
      receiveBufferAsked,
      receiveBufferBytes: endpoint.receiveBufferBytes,
      downMode,
    });
    result.startedAt = new Date();
    const dropsSince = countUdpDrops();
    result.startedAtMs = performance.now();
    const errorsBefore = endpoint.stats.errors;
    const datagrams = new BenchDatagrams(datagramBytes);
    const sendOne = direction === "both"
      ? () => {
        const seq = tally.recordSent(datagramBytes);
        endpoint.send(datagrams.build({ runId, seq, sentAtMs: performance.now() }), target);
      }
      : () => {
        const seq = counts.sent.datagrams++;
        counts.sent.bytes += datagramBytes;
        endpoint.send(datagrams.build({ runId, seq, sentAtMs: performance.now() }), target);
      };
    const pacing = await paced(
      options,
      direction,
      tally,
      counts,
      result,
      observer,
      streamed ? () => streamCounts(stream!, counts, datagramBytes) : undefined,
      (clock) =>
        streamed
          ? stream!.keepAlive(clock.finished, () => clock.complete()).then(() => NOT_PACED)
          : paceSends(
            options.bitsPerSecond,
            unitBytes,
            clock,
            sendOne,
            () => endpoint.queuedDatagrams,
            options.count ? datagramsFor(options.count, unitBytes) : Infinity,
          ),
    );
    result.heldBackMs = pacing.heldBackMs;
    result.sentShare = pacing.sentShare;
    result.seconds = result.intervals.at(-1)?.end ?? 0;
    observer.onSent?.();
    // Delayed and held-back datagrams are still to go: the waits start once they have.
    if (faults) await faults.finish();
    await sentQueued(endpoint);
    if (streamed) {
      const final = await stream!.finish(options.signal?.aborted === true);
      streamCounts(stream!, counts, datagramBytes);
      result.senderCounted = final !== undefined;
      if (final) {
        counts.sent.datagrams = final.sentDatagrams;
        counts.sent.bytes = final.sentBytes;
      }
      const due = options.bitsPerSecond / 8 * result.seconds;
      if (due > 0 && !options.count) result.sentShare = Math.min(1, counts.sent.bytes / due);
    } else if (direction === "both") {
      const deadline = Date.now() + FINAL_WAIT_MS;
      // With duplicates injected, the copies of the last echoes may still be on their way.
      const owed = () =>
        tally.snapshot().received < tally.snapshot().sent || faults?.echoesOwed === true;
      while (owed() && Date.now() < deadline) {
        await settlesWithin(arrived.wait(), deadline - Date.now());
      }
    } else if (up) {
      // A lost report request is sent again; a sink that never answers costs the whole wait.
      asked = true;
      for (let i = 0; i < REPORT_REQUESTS && !answer; i++) {
        endpoint.send(buildReportRequest(runId), target);
        const deadline = Date.now() + REPORT_WAIT_MS;
        while (!answer && Date.now() < deadline) {
          await settlesWithin(arrived.wait(), deadline - Date.now());
        }
      }
      takeAnswer(result, answer, answerAtMs);
    } else {
      const deadline = Date.now() + FINAL_WAIT_MS;
      while (counts.received.datagrams < counts.sent.datagrams && Date.now() < deadline) {
        await settlesWithin(arrived.wait(), deadline - Date.now());
      }
    }
    const drops = dropsSince();
    result.bufferDrops = drops.receiveBuffer;
    result.sendBufferDrops = drops.sendBuffer;
    result.sendErrors = endpoint.stats.errors - errorsBefore;
    if (faults) result.faults = faults.stats;
    result.unrecognised = unrecognised;
    result.echoedRequests = echoedRequests;
    if (streamed) settleStream(result, stream!);
    else settle(result, direction === "both" ? tally.snapshot() : undefined);
    return result;
  } finally {
    await endpoint.close();
  }
}

// Runs the clock and the pacing, collecting the intervals into `result`.
async function paced(
  options: UdpThroughputOptions,
  direction: UdpThroughputDirection,
  tally: UdpTally,
  counts: Counts,
  result: UdpThroughputResult,
  observer: UdpThroughputObserver,
  refresh: (() => number) | undefined,
  pace: (clock: IntervalClock) => Promise<Pacing>,
): Promise<Pacing> {
  const both = direction === "both";
  let mark = both ? tally.snapshot() : undefined;
  let markCounts = copyCounts(counts);
  const onProgress = observer.onProgress;
  const clock = new IntervalClock(
    clockSeconds(options.count, options.seconds ?? DEFAULT_SECONDS),
    {
      interval(start, end) {
        let interval: UdpThroughputInterval;
        if (both) {
          const now = tally.snapshot();
          interval = intervalBetween(start, end, mark!, now);
          mark = now;
        } else {
          const jitterMs = refresh?.();
          interval = {
            start,
            end,
            sentDatagrams: counts.sent.datagrams - markCounts.sent.datagrams,
            sentBytes: counts.sent.bytes - markCounts.sent.bytes,
            receivedDatagrams: counts.received.datagrams - markCounts.received.datagrams,
            receivedBytes: counts.received.bytes - markCounts.received.bytes,
          };
          // A stream's "sent" is the sequence numbers the interval covered, so its gaps are lost.
          if (refresh) {
            interval.lost = Math.max(0, interval.sentDatagrams - interval.receivedDatagrams);
            interval.lossPercent = lossPercent(interval.lost, interval.sentDatagrams);
            interval.jitterMs = jitterMs;
          }
          markCounts = copyCounts(counts);
        }
        result.intervals.push(interval);
        observer.onInterval?.(interval);
      },
      ...(onProgress && {
        progress(elapsedSeconds: number) {
          refresh?.();
          const now = both ? tally.snapshot() : undefined;
          onProgress({
            elapsedSeconds,
            sentDatagrams: now ? now.sent : counts.sent.datagrams,
            receivedDatagrams: now ? now.received : counts.received.datagrams,
          });
        },
      }),
    },
  );
  const stop = () => clock.stop();
  options.signal?.addEventListener("abort", stop);
  if (options.signal?.aborted) clock.stop();
  try {
    return await pace(clock);
  } finally {
    options.signal?.removeEventListener("abort", stop);
  }
}

// What a stream's pace() returns: the server paced it, and says how it went.
const NOT_PACED: Pacing = { heldBackMs: 0, sentShare: 1 };
const MAX_U32 = 0xffffffff;

// A stream's counts so far: what arrived, and as "sent" the sequence numbers
// it covered; returns the jitter so far.
function streamCounts(stream: StreamReceiver, counts: Counts, datagramBytes: number): number {
  const now = stream.counts();
  counts.received.datagrams = now.received.datagrams;
  counts.received.bytes = now.received.bytes;
  counts.received.lastAtMs = now.received.lastAtMs;
  counts.sent.datagrams = now.covered;
  counts.sent.bytes = now.covered * datagramBytes;
  return now.jitterMs;
}

// A run's result before anything is sent: what it stays when nothing is
// (too large, its stream turned away).
function startingResult(
  direction: UdpThroughputDirection,
  target: SocketAddress,
  endpoint: UdpEndpoint,
  receiveBufferAsked: number,
  datagramBytes: number,
): UdpThroughputResult {
  return {
    direction,
    target,
    local: endpoint.localAddress,
    limitBytes: endpoint.limitFor(target),
    receiveBufferAsked,
    receiveBufferBytes: endpoint.receiveBufferBytes,
    datagramBytes,
    startedAt: new Date(),
    startedAtMs: performance.now(),
    seconds: 0,
    intervals: [],
    sent: { datagrams: 0, bytes: 0 },
    received: { datagrams: 0, bytes: 0, lastAtMs: 0 },
    lost: undefined,
    lossPercent: undefined,
    jitterMs: undefined,
    duplicates: undefined,
    reordered: undefined,
    unrecognised: 0,
    report: undefined,
    echoedRequests: false,
    heldBackMs: 0,
    sentShare: 1,
    sendErrors: 0,
    sendBufferDrops: undefined,
    bufferDrops: undefined,
  };
}

function copyCounts(counts: Counts): Counts {
  return { sent: { ...counts.sent }, received: { ...counts.received } };
}

function intervalBetween(
  start: number,
  end: number,
  before: UdpTallySnapshot,
  after: UdpTallySnapshot,
): UdpThroughputInterval {
  const lost = lostBetween(before, after);
  return {
    start,
    end,
    sentDatagrams: after.sent - before.sent,
    sentBytes: after.sentBytes - before.sentBytes,
    receivedDatagrams: after.received - before.received,
    receivedBytes: after.receivedBytes - before.receivedBytes,
    lost,
    lossPercent: lossPercent(lost, after.highestSeq - before.highestSeq),
    jitterMs: after.jitterMs,
  };
}

/** Puts the receiver's answer into `result`: its report if credible, else why there is none. */
function takeAnswer(result: UdpThroughputResult, answer: ReportAnswer | undefined, atMs: number) {
  if (answer?.kind === "missing") {
    result.reportProblem = { kind: "missing", reason: answer.reason };
  }
  if (answer?.kind !== "report") return;
  const sent = { packets: result.sent.datagrams, bytes: result.sent.bytes };
  const doubt = reportDoubt(answer.counts, sent, atMs - result.startedAtMs);
  if (doubt === undefined) result.report = answer.counts;
  else result.reportProblem = { kind: "not credible", doubt };
}

/** A stream's loss, jitter and order, once it is over: the server's sent count against what arrived. */
function settleStream(result: UdpThroughputResult, stream: StreamReceiver): void {
  const counts = stream.counts();
  result.lost = Math.max(0, result.sent.datagrams - result.received.datagrams);
  result.lossPercent = lossPercent(result.lost, result.sent.datagrams);
  result.jitterMs = counts.jitterMs;
  result.duplicates = counts.duplicates;
  result.reordered = counts.reordered;
  if (result.received.datagrams === 0) result.failure = "no answers";
}

/** The totals, loss and failure, once the run is over. */
function settle(result: UdpThroughputResult, total: UdpTallySnapshot | undefined): void {
  const sent = result.sent.datagrams;
  if (total) {
    result.sent.datagrams = total.sent;
    result.sent.bytes = total.sentBytes;
    result.received.datagrams = total.received;
    result.received.bytes = total.receivedBytes;
    result.lost = total.sent - total.received;
    result.lossPercent = lossPercent(result.lost, total.sent);
    result.jitterMs = total.jitterMs;
    result.duplicates = total.duplicates;
    result.reordered = total.reordered;
    if (total.received === 0) result.failure = "no echoes";
    return;
  }
  if (result.direction === "down") {
    result.lost = Math.max(0, sent - result.received.datagrams);
    result.lossPercent = lossPercent(result.lost, sent);
    if (result.received.datagrams === 0) result.failure = "no answers";
    return;
  }
  const report = result.report;
  if (report) {
    result.lost = Math.max(0, sent - report.packets);
    result.lossPercent = lossPercent(result.lost, sent);
    result.jitterMs = report.jitterMs;
    result.duplicates = report.duplicates;
    result.reordered = report.outOfOrder;
  }
  if (result.reportProblem?.kind === "not credible") result.failure = "report not credible";
  else if (result.reportProblem?.kind === "missing") result.failure = "report missing";
  else if (report && report.packets === 0 && sent > 0) result.failure = "nothing arrived";
}
