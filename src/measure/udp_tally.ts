/** How one echo counted. */
export type EchoVerdict = "new" | "reordered" | "duplicate" | "unknown";

/** Counters at one moment, for interval and final reports. */
export interface UdpTallySnapshot {
  /** Datagrams sent. */
  sent: number;
  /** Their payload bytes. */
  sentBytes: number;
  /** Distinct datagrams echoed. */
  received: number;
  /** Their payload bytes. */
  receivedBytes: number;
  /** Echoes of a datagram already echoed. */
  duplicates: number;
  /** Echoes numbered below the highest already seen. */
  reordered: number;
  /** Highest sequence number echoed so far, -1 before any. */
  highestSeq: number;
  /** RFC 3550 interarrival jitter, in ms. */
  jitterMs: number;
}

/**
 * Counts a UDP bench: datagrams sent and echoed, duplicates, reordering (an
 * echo numbered below the highest already seen) and RFC 3550 interarrival
 * jitter from echo arrival spacing against send spacing. Times are in ms
 * from one monotonic clock. Sequence numbers count up from 0.
 * @example
 * ```ts
 * import { lossPercent, UdpTally } from "../../mod.ts";
 * const tally = new UdpTally();
 * for (let i = 0; i < 4; i++) tally.recordSent(100);
 * tally.recordEcho(0, 0, 1, 100);
 * tally.recordEcho(2, 2, 3, 100);
 * tally.recordEcho(1, 1, 4, 100); // overtaken by 2
 * const { sent, received, reordered } = tally.snapshot();
 * if (sent !== 4 || received !== 3 || reordered !== 1) throw new Error();
 * if (lossPercent(sent - received, sent) !== 25) throw new Error();
 * ```
 */
export class UdpTally {
  #sent = 0;
  #sentBytes = 0;
  #received = 0;
  #receivedBytes = 0;
  #duplicates = 0;
  #reordered = 0;
  #highestSeq = -1;
  #jitterMs = 0;
  #lastTransitMs: number | undefined;
  // One bit per datagram sent: flat memory however long the run.
  #seen = new Uint8Array(1024);

  /** Records one datagram of `bytes` sent; returns its sequence number. */
  recordSent(bytes: number): number {
    this.#sentBytes += bytes;
    return this.#sent++;
  }

  /** Records an echo of datagram `seq`, sent at `sentAtMs`, arriving at `arrivedAtMs`. */
  recordEcho(seq: number, sentAtMs: number, arrivedAtMs: number, bytes: number): EchoVerdict {
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.#sent) return "unknown";
    const index = seq >> 3;
    const bit = 1 << (seq & 7);
    if (index >= this.#seen.length) this.#grow(index);
    if (this.#seen[index]! & bit) {
      this.#duplicates++;
      return "duplicate";
    }
    this.#seen[index]! |= bit;
    this.#received++;
    this.#receivedBytes += bytes;
    // RFC 3550 6.4.1: J += (|D| - J) / 16, D the change in transit time between consecutive arrivals.
    const transit = arrivedAtMs - sentAtMs;
    if (this.#lastTransitMs !== undefined) {
      this.#jitterMs += (Math.abs(transit - this.#lastTransitMs) - this.#jitterMs) / 16;
    }
    this.#lastTransitMs = transit;
    if (seq < this.#highestSeq) {
      this.#reordered++;
      return "reordered";
    }
    this.#highestSeq = seq;
    return "new";
  }

  #grow(index: number): void {
    const grown = new Uint8Array(Math.max(index + 1, this.#seen.length * 2));
    grown.set(this.#seen);
    this.#seen = grown;
  }

  /** The counters now. */
  snapshot(): UdpTallySnapshot {
    return {
      sent: this.#sent,
      sentBytes: this.#sentBytes,
      received: this.#received,
      receivedBytes: this.#receivedBytes,
      duplicates: this.#duplicates,
      reordered: this.#reordered,
      highestSeq: this.#highestSeq,
      jitterMs: this.#jitterMs,
    };
  }
}

/**
 * Datagrams lost between two snapshots, as iperf counts them: the span of
 * sequence numbers newly covered minus the distinct echoes that arrived.
 */
export function lostBetween(before: UdpTallySnapshot, after: UdpTallySnapshot): number {
  const expected = after.highestSeq - before.highestSeq;
  return Math.max(0, expected - (after.received - before.received));
}

/** Loss as a percentage of `expected`, 0 when nothing was expected. */
export function lossPercent(lost: number, expected: number): number {
  return expected > 0 ? (lost / expected) * 100 : 0;
}
