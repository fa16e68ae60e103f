/**
 * Finds connections that have been silent too long. One timer sweeps them
 * all, so marking activity on the hot path is a single assignment instead of
 * a timer reset per message.
 */
export class IdleSweeper<T> {
  readonly #lastActive = new Map<T, number>();
  readonly #idleMs: number;
  readonly #onIdle: (item: T) => void;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param idleMs Silence after which `onIdle` is called for an item.
   * @param onIdle Called once per idle item; the item is forgotten first.
   */
  constructor(idleMs: number, onIdle: (item: T) => void) {
    this.#idleMs = idleMs;
    this.#onIdle = onIdle;
  }

  /** Starts watching `item`, as active now. */
  add(item: T): void {
    this.#lastActive.set(item, Date.now());
    if (this.#timer === undefined) {
      // A sweep every quarter of the limit (at most a second) keeps the overshoot small.
      this.#timer = setInterval(
        () => this.#sweep(),
        Math.min(1000, Math.max(10, this.#idleMs / 4)),
      );
    }
  }

  /** Records activity on `item`. */
  touch(item: T): void {
    if (this.#lastActive.has(item)) this.#lastActive.set(item, Date.now());
  }

  /** Stops watching `item`. */
  delete(item: T): void {
    this.#lastActive.delete(item);
    if (this.#lastActive.size === 0) this.stop();
  }

  /** Stops the timer and forgets everything. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#lastActive.clear();
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#idleMs;
    const idle: T[] = [];
    for (const [item, last] of this.#lastActive) if (last <= cutoff) idle.push(item);
    for (const item of idle) {
      this.#lastActive.delete(item);
      this.#onIdle(item);
    }
    if (this.#lastActive.size === 0) this.stop();
  }
}
