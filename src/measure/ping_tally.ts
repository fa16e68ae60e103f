import { type RttSummary, summariseRtts } from "./rtt_stats.ts";

/** How one reply counted. */
export interface ProbeReply {
  /** The probe's sequence number. */
  readonly seq: number;
  /** Its round-trip time, in milliseconds. */
  readonly rttMs: number;
  /** This probe had already been answered. */
  readonly duplicate: boolean;
  /** A later probe was answered first. */
  readonly reordered: boolean;
  /** It came after the timeout, so it was already reported missing. */
  readonly late: boolean;
}

/**
 * Counts what ping reports: probes sent and answered, duplicates, replies
 * overtaken by later ones, and round-trip times. Times are in milliseconds
 * from any monotonic clock.
 * @example
 * ```ts
 * import { PingTally } from "../../mod.ts";
 * const tally = new PingTally();
 * const stamp = 1_700_000_000_000; // what each probe carries, so replies are ours
 * tally.recordSent(1, 0, stamp);
 * tally.recordSent(2, 1000, stamp + 1000);
 * tally.recordReply(2, stamp + 1000, 1004, 2000);
 * tally.recordReply(1, stamp, 1010, 2000); // answered after probe 2: reordered
 * if (tally.sent !== 2 || tally.received !== 2 || tally.reordered !== 1) throw new Error();
 * if (tally.summary()?.max !== 1010) throw new Error(JSON.stringify(tally.summary()));
 * ```
 */
export class PingTally {
  readonly #sent = new Map<number, { at: number; epochMs: number }>();
  readonly #answered = new Set<number>();
  readonly #rtts: number[] = [];
  #highestAnswered = 0;
  /** Replies to a probe already answered. */
  duplicates = 0;
  /** Replies that came after a later probe's. */
  reordered = 0;
  /** Replies that were not one of our probes (another program, or mangled). */
  unrecognised = 0;

  /** Records that probe `seq` left at `at`, stamped with `epochMs`. */
  recordSent(seq: number, at: number, epochMs: number): void {
    this.#sent.set(seq, { at, epochMs });
  }

  /**
   * Records a reply to probe `seq` stamped `epochMs`, arriving at `at`;
   * `undefined` (and counted unrecognised) when no such probe was sent.
   */
  recordReply(
    seq: number,
    epochMs: number,
    at: number,
    timeoutMs: number,
  ): ProbeReply | undefined {
    const probe = this.#sent.get(seq);
    if (!probe || probe.epochMs !== epochMs) {
      this.unrecognised++;
      return undefined;
    }
    const rttMs = at - probe.at;
    const duplicate = this.#answered.has(seq);
    const reordered = !duplicate && seq < this.#highestAnswered;
    if (duplicate) this.duplicates++;
    else {
      this.#answered.add(seq);
      this.#rtts.push(rttMs);
      if (reordered) this.reordered++;
      this.#highestAnswered = Math.max(this.#highestAnswered, seq);
    }
    return { seq, rttMs, duplicate, reordered, late: rttMs > timeoutMs };
  }

  /** Tells whether probe `seq` has been answered. */
  isAnswered(seq: number): boolean {
    return this.#answered.has(seq);
  }

  /** Probes sent so far. */
  get sent(): number {
    return this.#sent.size;
  }

  /** Probes answered at least once. */
  get received(): number {
    return this.#answered.size;
  }

  /** Round-trip figures over first replies; `undefined` when none came. */
  summary(): RttSummary | undefined {
    return summariseRtts(this.#rtts);
  }
}
