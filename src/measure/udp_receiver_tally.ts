/** What the receiving end of a UDP upload counted for one run. */
export interface ReceiverCounts {
  /** Distinct bench datagrams that arrived. */
  packets: number;
  /** Their bytes of UDP payload. */
  bytes: number;
  /** Copies of datagrams that had already arrived, counted apart from `packets`. */
  duplicates: number;
  /** Datagrams numbered below one already seen, as iperf3 counts out-of-order. */
  outOfOrder: number;
  /** RFC 3550 interarrival jitter, in ms. */
  jitterMs: number;
  /** From the first datagram's arrival to the last's, in ms: the receiver's own time. */
  spanMs: number;
}

// Duplicates are told apart only for the first 16 Mi datagrams (a 2 MiB bitmap,
// over three minutes at 1 Gbit/s): a forged sequence number must not make the
// server allocate gigabytes.
const TRACKED_SEQ = 1 << 24;
const FIRST_SEEN_BYTES = 1024;
// An honest sender's numbers run about as far as its datagrams that arrived,
// unless over 7 in 8 were lost: the bitmap grows past this many bytes only
// one byte per datagram counted, so one forged number far ahead buys nothing.
const GROWTH_SLACK_BYTES = 8192;

/**
 * Bytes the duplicate bitmaps of many tallies may grow by between them (a
 * server's runs share one); a number beyond what a tally may track is counted
 * as a distinct datagram, as past the 16 Mi tracked.
 */
export interface SeenBudget {
  bytesLeft: number;
}

/**
 * Counts one run's bench datagrams where they arrive: the receiver's side of
 * a UDP upload, which only the receiving end can know. Jitter uses the send
 * times the datagrams carry: the two clocks differ by a constant, which
 * cancels out in RFC 3550's transit-time differences.
 */
export class ReceiverTally {
  #packets = 0;
  #bytes = 0;
  #duplicates = 0;
  #outOfOrder = 0;
  #highestSeq = -1;
  #jitterMs = 0;
  #lastTransitMs: number | undefined;
  #firstAtMs: number | undefined;
  #lastAtMs = 0;
  #seen = new Uint8Array(FIRST_SEEN_BYTES);
  readonly #budget: SeenBudget;
  #charged = 0;

  /** @param budget Shared room for the bitmap to grow; unbounded when not given. */
  constructor(budget: SeenBudget = { bytesLeft: Infinity }) {
    this.#budget = budget;
  }

  /** Records datagram `seq` of `bytes`, sent at `sentAtMs` (sender's clock), arriving at `arrivedAtMs`. */
  record(seq: number, sentAtMs: number, arrivedAtMs: number, bytes: number): void {
    const index = seq >> 3;
    if (seq < TRACKED_SEQ && (index < this.#seen.length || this.#grow(index))) {
      const bit = 1 << (seq & 7);
      if (this.#seen[index]! & bit) {
        this.#duplicates++;
        return;
      }
      this.#seen[index]! |= bit;
    }
    this.#packets++;
    this.#bytes += bytes;
    this.#firstAtMs ??= arrivedAtMs;
    this.#lastAtMs = Math.max(this.#lastAtMs, arrivedAtMs);
    // RFC 3550 6.4.1: J += (|D| - J) / 16.
    const transit = arrivedAtMs - sentAtMs;
    if (this.#lastTransitMs !== undefined) {
      this.#jitterMs += (Math.abs(transit - this.#lastTransitMs) - this.#jitterMs) / 16;
    }
    this.#lastTransitMs = transit;
    if (seq < this.#highestSeq) this.#outOfOrder++;
    else this.#highestSeq = seq;
  }

  /** Makes room for byte `index` of the bitmap, if the budget and the datagrams counted allow. */
  #grow(index: number): boolean {
    if (index >= GROWTH_SLACK_BYTES + this.#packets) return false;
    const length = Math.min(Math.max(index + 1, this.#seen.length * 2), TRACKED_SEQ >> 3);
    const extra = length - this.#seen.length;
    if (extra > this.#budget.bytesLeft) return false;
    this.#budget.bytesLeft -= extra;
    this.#charged += extra;
    const grown = new Uint8Array(length);
    grown.set(this.#seen);
    this.#seen = grown;
    return true;
  }

  /** Gives the bitmap's growth back to the budget, as the tally is about to be forgotten. */
  release(): void {
    this.#budget.bytesLeft += this.#charged;
    this.#charged = 0;
  }

  /** The counts now. */
  counts(): ReceiverCounts {
    return {
      packets: this.#packets,
      bytes: this.#bytes,
      duplicates: this.#duplicates,
      outOfOrder: this.#outOfOrder,
      jitterMs: this.#jitterMs,
      spanMs: this.#firstAtMs === undefined ? 0 : this.#lastAtMs - this.#firstAtMs,
    };
  }
}
