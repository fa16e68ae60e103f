import type { SocketAddress } from "../net/mod.ts";
import { readBenchHeader } from "./udp_header.ts";
import { type ReceiverCounts, ReceiverTally, type SeenBudget } from "./udp_receiver_tally.ts";
import {
  buildMissingReport,
  buildReport,
  type MissingReason,
  readReportRequest,
} from "./udp_report.ts";

// One bench is one socket and one run, so an address with more runs at once
// is forging them: it loses its own least recently active run, nobody else's.
const MAX_RUNS_PER_PEER = 4;
// All peers together: a class of 40 many times over, about 1.5 MiB of tallies.
const MAX_RUNS = 1024;
// A bench asks for its report within seconds of its last datagram, so a run
// idle this long is over: only such a run gives its place to a new one, and a
// crowd of runs from many addresses cannot push out a measurement under way.
const IDLE_MS = 10_000;
// Recency is refreshed at most this often per run: reordering on every
// datagram would cost the server's busiest path.
const TOUCH_MS = 100;
// Only one of a run's first datagrams opens its tally: a run forgotten or
// turned away is then not counted from its middle, a part reported as the
// whole. Enough that a bench losing 99% (--drop 99) still opens its run.
const OPENING_SEQS = 1024;
// What all the runs' duplicate bitmaps may grow by together: before there was
// a per-run table, 16 runs of up to 2 MiB each.
const SEEN_BUDGET_BYTES = 32 * 1024 * 1024;
// For this long after turning a run away or forgetting one, a run without a
// count is answered as crowded out rather than unknown.
const CROWDED_MS = 60_000;

interface Run {
  readonly id: number;
  readonly peer: PeerRuns;
  readonly tally: ReceiverTally;
  touchedAtMs: number;
}

interface PeerRuns {
  readonly hostname: string;
  readonly port: number;
  readonly runs: Run[];
}

/** What the discard server sends back to a report request, and what it said. */
export interface BenchAnswer {
  /** The datagram to send back to the peer that asked. */
  answer: Uint8Array;
  /** The run's counts; undefined when the server holds none (see `missing`). */
  report?: ReceiverCounts;
  /** Why the server holds no count of the run, when it holds none. */
  missing?: MissingReason;
}

/**
 * The receiving end of `udp.ts bench --direction up` inside a UDP discard
 * server: counts each run's bench datagrams per peer and answers a report
 * request with them, so the client can print the receiver's line. Memory
 * stays bounded whatever peers send, and no peer can make it forget another
 * peer's run while that run is under way.
 */
export class BenchReceiver {
  // Keyed by host, then port: finding a run builds no string, and a discard
  // server takes 100k+ datagrams a second.
  readonly #byHost = new Map<string, Map<number, PeerRuns>>();
  // Every run held, least recently active first (to within TOUCH_MS).
  readonly #recency = new Set<Run>();
  readonly #budget: SeenBudget = { bytesLeft: SEEN_BUDGET_BYTES };
  #crowdedAtMs = -Infinity;

  /** Runs held now. */
  get runs(): number {
    return this.#recency.size;
  }

  /**
   * Counts `bytes` if it is a bench datagram.
   * @param nowMs The arrival time, `performance.now()` unless given.
   * @returns The answer to send back when `bytes` is a report request.
   */
  take(bytes: Uint8Array, from: SocketAddress, nowMs?: number): BenchAnswer | undefined {
    const header = readBenchHeader(bytes);
    if (header) {
      const now = nowMs ?? performance.now();
      const run = this.#find(from, header.runId)
        ?? (header.seq < OPENING_SEQS ? this.#open(from, header.runId, now) : undefined);
      if (run) {
        this.#touch(run, now);
        run.tally.record(header.seq, header.sentAtMs, now, bytes.length);
      }
      return undefined;
    }
    const runId = readReportRequest(bytes);
    if (runId === undefined) return undefined;
    const now = nowMs ?? performance.now();
    const run = this.#find(from, runId);
    if (!run) {
      // A request never opens a run: it would only report zeros.
      const missing = now - this.#crowdedAtMs < CROWDED_MS ? "crowded" : "unknown";
      return { answer: buildMissingReport(runId, missing), missing };
    }
    this.#touch(run, now);
    const report = run.tally.counts();
    return { answer: buildReport(runId, report), report };
  }

  #find(from: SocketAddress, runId: number): Run | undefined {
    const runs = this.#byHost.get(from.hostname)?.get(from.port)?.runs;
    if (!runs) return undefined;
    for (const run of runs) if (run.id === runId) return run;
    return undefined;
  }

  #open(from: SocketAddress, runId: number, now: number): Run | undefined {
    const own = this.#byHost.get(from.hostname)?.get(from.port)?.runs;
    if (own && own.length >= MAX_RUNS_PER_PEER) {
      this.#forget(
        own.reduce((oldest, run) => run.touchedAtMs < oldest.touchedAtMs ? run : oldest),
      );
    } else if (this.#recency.size >= MAX_RUNS) {
      this.#crowdedAtMs = now;
      const oldest = this.#recency.values().next().value!;
      if (now - oldest.touchedAtMs < IDLE_MS) return undefined;
      this.#forget(oldest);
    }
    const peer = this.#peerOf(from);
    const run: Run = { id: runId, peer, tally: new ReceiverTally(this.#budget), touchedAtMs: now };
    peer.runs.push(run);
    this.#recency.add(run);
    return run;
  }

  #peerOf(from: SocketAddress): PeerRuns {
    let ports = this.#byHost.get(from.hostname);
    if (!ports) this.#byHost.set(from.hostname, ports = new Map());
    let peer = ports.get(from.port);
    if (!peer) ports.set(from.port, peer = { hostname: from.hostname, port: from.port, runs: [] });
    return peer;
  }

  #touch(run: Run, now: number): void {
    if (now - run.touchedAtMs < TOUCH_MS) return;
    run.touchedAtMs = now;
    this.#recency.delete(run);
    this.#recency.add(run);
  }

  #forget(run: Run): void {
    run.tally.release();
    this.#recency.delete(run);
    const { peer } = run;
    peer.runs.splice(peer.runs.indexOf(run), 1);
    if (peer.runs.length > 0) return;
    const ports = this.#byHost.get(peer.hostname)!;
    ports.delete(peer.port);
    if (ports.size === 0) this.#byHost.delete(peer.hostname);
  }
}
