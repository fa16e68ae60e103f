import { Waiters } from "../async/mod.ts";

/** A client that messages from others (chat relays) are queued for. */
export interface Recipient {
  /** Bytes the operating system has taken for it so far. */
  readonly writtenBytes: number;
  /** Resolves once everything queued for it has gone, or it closed. */
  drained(): Promise<void>;
}

/**
 * Backpressure from the slowest reader to everyone who sends to it. A
 * recipient whose queue passed the high-water mark is noted here; senders
 * wait for `clear()` before handling more, so a fast sender is slowed to the
 * pace of the slowest member that reads, and nobody who reads is dropped. A
 * recipient that takes no byte for `stallMs` has stopped reading: it is handed
 * to `onStalled` (which disconnects it) so it cannot hold the others up.
 */
export class ReaderCongestion<T extends Recipient> {
  readonly #stallMs: number;
  readonly #onStalled: (recipient: T) => void;
  // For each recipient: what it had taken when last seen to move, and when.
  readonly #behind = new Map<T, { written: number; since: number }>();
  readonly #cleared = new Waiters();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(stallMs: number, onStalled: (recipient: T) => void) {
    this.#stallMs = stallMs;
    this.#onStalled = onStalled;
  }

  /** Whether some recipient is behind now. */
  get congested(): boolean {
    return this.#behind.size > 0;
  }

  /** Notes `recipient` as behind until everything queued for it has gone. */
  note(recipient: T): void {
    if (this.#behind.has(recipient)) return;
    this.#behind.set(recipient, { written: recipient.writtenBytes, since: Date.now() });
    void recipient.drained().then(() => this.#caughtUp(recipient));
    this.#timer ??= setInterval(() => this.#sweep(), Math.min(1000, this.#stallMs / 4));
  }

  /** Resolves once no recipient is behind. */
  clear(): Promise<void> {
    return this.#behind.size === 0 ? Promise.resolve() : this.#cleared.wait();
  }

  /** Stops watching, and lets every waiting sender go on. */
  stop(): void {
    this.#behind.clear();
    this.#stopTimer();
    this.#cleared.release();
  }

  #caughtUp(recipient: T): void {
    if (!this.#behind.delete(recipient) || this.#behind.size > 0) return;
    this.#stopTimer();
    this.#cleared.release();
  }

  #sweep(): void {
    const now = Date.now();
    const stalled: T[] = [];
    for (const [recipient, seen] of this.#behind) {
      if (recipient.writtenBytes !== seen.written) {
        seen.written = recipient.writtenBytes;
        seen.since = now;
      } else if (now - seen.since >= this.#stallMs) {
        stalled.push(recipient);
      }
    }
    for (const recipient of stalled) {
      this.#onStalled(recipient);
      this.#caughtUp(recipient);
    }
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
