import { setImmediate } from "node:timers";

/** What an {@linkcode IntervalClock} calls, all in seconds since the start. */
export interface IntervalCallbacks {
  /** One report interval ended: normally a whole second, the last one may be shorter. */
  interval(startSeconds: number, endSeconds: number): void;
  /** Time for the live progress line; only called when progress is wanted. */
  progress?(elapsedSeconds: number): void;
}

const PROGRESS_MS = 200;
// A stop this close after a boundary adds no interval: it would report a rate from a few packets.
const MIN_LAST_INTERVAL_SECONDS = 0.05;

/**
 * Measures a run: fires `interval` at every whole second from the start, and
 * `progress` a few times a second, until the run's length or `stop()`. Each
 * boundary is scheduled from the start time, so late timers do not drift.
 */
export class IntervalClock {
  readonly #startedAt = performance.now();
  readonly #durationSeconds: number;
  readonly #callbacks: IntervalCallbacks;
  #lastBoundary = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #progressTimer: ReturnType<typeof setInterval> | undefined;
  #finished = false;
  #markFinished!: () => void;
  /** Resolves when the run is over: its length passed, or `stop()` was called. */
  readonly finished: Promise<void> = new Promise((resolve) => (this.#markFinished = resolve));

  /** Starts the clock now; the run lasts `durationSeconds` unless stopped. */
  constructor(durationSeconds: number, callbacks: IntervalCallbacks) {
    this.#durationSeconds = durationSeconds;
    this.#callbacks = callbacks;
    this.#schedule();
    if (callbacks.progress) {
      this.#progressTimer = setInterval(() => callbacks.progress!(this.elapsed()), PROGRESS_MS);
    }
  }

  /** Seconds since the start. */
  elapsed(): number {
    return (performance.now() - this.#startedAt) / 1000;
  }

  /** Tells whether the run is over. */
  get isFinished(): boolean {
    return this.#finished;
  }

  /** Ends the run now (Ctrl-C, a failure), reporting the partial last interval. */
  stop(): void {
    if (this.#finished) return;
    const now = Math.min(this.elapsed(), this.#durationSeconds);
    if (now - this.#lastBoundary >= MIN_LAST_INTERVAL_SECONDS) {
      this.#callbacks.interval(this.#lastBoundary, now);
    }
    this.#finish();
  }

  /**
   * Ends the run now because its work is done (a count reached): the last
   * interval is reported however short, since it holds part of the count.
   */
  complete(): void {
    if (this.#finished) return;
    const now = Math.min(this.elapsed(), this.#durationSeconds);
    if (now > this.#lastBoundary) this.#callbacks.interval(this.#lastBoundary, now);
    this.#finish();
  }

  #schedule(): void {
    const next = Math.min(Math.floor(this.#lastBoundary) + 1, this.#durationSeconds);
    const delayMs = next * 1000 - (performance.now() - this.#startedAt);
    this.#timer = setTimeout(() => this.#boundary(next), Math.max(0, delayMs));
  }

  #boundary(at: number): void {
    this.#callbacks.interval(this.#lastBoundary, at);
    this.#lastBoundary = at;
    if (at >= this.#durationSeconds) this.#finish();
    else this.#schedule();
  }

  #finish(): void {
    this.#finished = true;
    clearTimeout(this.#timer);
    clearInterval(this.#progressTimer);
    this.#markFinished();
  }
}

/**
 * Lets timers and socket reads run between bursts of work that never wait
 * otherwise (a socket that takes every write at once).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
