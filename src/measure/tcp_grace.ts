import { settlesWithin } from "../async/mod.ts";
import { formatTransfer, secondsText } from "../bytes/mod.ts";

/**
 * How long, after its last second, a TCP bench waits in all for the far end:
 * for its own last queued bytes to go to the system, for the server's FIN
 * after ours (a discard server sends it once it has read everything) or its
 * last echoes, and for the close. Why 5 s: it is the time socklab's own
 * server gives a reader that takes nothing before dropping it
 * (the default `readerStallMs` in src/tcp/tcp_server.ts), so both ends are as patient; and it
 * covers what a healthy lab link still has to deliver when the run ends, the
 * two socket buffers (Linux grows a sender's to at most 4 MiB, which crosses
 * 100 Mbit/s in 0.34 s and 10 Mbit/s in 3.4 s). A longer `--timeout`
 * lengthens it for a slower link.
 */
export const BENCH_END_GRACE_MS = 5_000;

/** The grace a run gets: {@linkcode BENCH_END_GRACE_MS}, or `timeoutMs` (--timeout) when longer. */
export function endGraceMs(timeoutMs: number): number {
  return Math.max(BENCH_END_GRACE_MS, timeoutMs);
}

/** The moment a run's grace ends, shared by every wait of one stream after the run. */
export class EndDeadline {
  readonly graceMs: number;
  readonly #at: number;

  /** Starts the grace now: the run has just ended. */
  constructor(graceMs: number) {
    this.graceMs = graceMs;
    this.#at = performance.now() + graceMs;
  }

  /** Whether `promise` settled before the grace ran out; never rejects. */
  within(promise: Promise<unknown>): Promise<boolean> {
    return settlesWithin(promise, this.#at - performance.now());
  }

  /** The grace in words, as the one-line failures say it. */
  get words(): string {
    return secondsText(this.graceMs);
  }
}

/**
 * The line a stream gives when its last bytes could not go out within the
 * grace: the server's window stayed shut (it had stopped reading), or no
 * acknowledgement came back at all (the link went down); the two look the
 * same from here. What it read is then unknown on this side, which cannot
 * see TCP's acknowledgements; it is at most what the system took.
 */
export function stoppedReading(
  id: number,
  waitingBytes: number,
  tookBytes: number,
  deadline: EndDeadline,
): string {
  return `stream ${id}: the server stopped reading (or the link went down): ${
    formatTransfer(waitingBytes)
  } still waited to be sent ${deadline.words} after the run, so what it read is unknown `
    + `(at most the ${formatTransfer(tookBytes)} the system took)`;
}
