/**
 * The part of a Node-style writable stream that {@linkcode BoundedOutput}
 * needs: `write` says `false` once the reader has fallen behind, and `drain`
 * follows when it has caught up.
 */
export interface OutputSink {
  write(text: string): boolean;
  once(event: "drain", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** Options for {@linkcode BoundedOutput}. */
export interface BoundedOutputOptions {
  /** Most characters kept waiting while the reader is behind; more are dropped. @default {262144} */
  maxQueued?: number;
  /** The line that says how many writes were dropped, written once the reader catches up. */
  dropNotice: (dropped: number) => string;
  /** Where that line goes. @default {the output itself} */
  report?: (line: string) => void;
}

// Queued text goes to the sink in pieces of about this size, so one drain never
// hands the runtime the whole queue at once.
const PIECE = 64 * 1024;

/**
 * Writes to a stream without ever waiting for its reader: while the reader is
 * behind, up to `maxQueued` characters wait here and later writes are dropped
 * and counted, and once the reader catches up a line says how many were lost.
 * A server's log must not be what stops it serving.
 * @example
 * ```ts
 * import { BoundedOutput } from "./bounded_output.ts";
 * const taken: string[] = [];
 * const sink = { write: (text: string) => (taken.push(text), true), once: () => {}, on: () => {} };
 * const output = new BoundedOutput(sink, { dropNotice: (n) => `${n} dropped\n` });
 * output.write("hello\n");
 * if (taken.join("") !== "hello\n") throw new Error(taken.join(""));
 * ```
 */
export class BoundedOutput {
  readonly #sink: OutputSink;
  readonly #maxQueued: number;
  readonly #dropNotice: (dropped: number) => string;
  readonly #report: (line: string) => void;
  readonly #queue: string[] = [];
  #queued = 0;
  #behind = false;
  #broken = false;
  #dropped = 0;
  #idle: (() => void)[] = [];

  /**
   * @param sink The stream written to.
   * @param options The bound and the words for what was dropped.
   * @throws {RangeError} when `maxQueued` is negative or not an integer.
   */
  constructor(sink: OutputSink, options: BoundedOutputOptions) {
    this.#sink = sink;
    this.#maxQueued = options.maxQueued ?? 256 * 1024;
    if (!Number.isInteger(this.#maxQueued) || this.#maxQueued < 0) {
      throw new RangeError(
        `Cannot bound output as 'maxQueued' must be a non-negative integer: current value is ${this.#maxQueued}`,
      );
    }
    this.#dropNotice = options.dropNotice;
    this.#report = options.report ?? ((line) => this.write(line));
    // A reader that went away (EPIPE) is not the program's failure: stop writing, keep running.
    sink.on("error", () => {
      this.#broken = true;
      this.#queue.length = 0;
      this.#queued = 0;
      this.#settle();
    });
  }

  /** Writes `text` now, queues it while the reader is behind, or drops it when the queue is full. */
  write(text: string): void {
    if (this.#broken) return;
    if (!this.#behind) {
      this.#send(text);
      return;
    }
    if (this.#queued + text.length > this.#maxQueued) {
      this.#dropped++;
      return;
    }
    this.#queue.push(text);
    this.#queued += text.length;
  }

  /** Writes dropped since the reader last caught up. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Characters waiting for the reader. */
  get queued(): number {
    return this.#queued;
  }

  /** Resolves once nothing waits here and the sink has taken all it was given. */
  idle(): Promise<void> {
    if (this.#broken || !this.#behind) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #send(text: string): void {
    if (this.#sink.write(text)) return;
    // The sink kept `text` (both runtimes buffer what write() refused to take at once)
    // but wants no more until it drains.
    this.#behind = true;
    this.#sink.once("drain", () => this.#onDrain());
  }

  #onDrain(): void {
    this.#behind = false;
    while (!this.#behind && this.#queue.length > 0) {
      let piece = "";
      while (this.#queue.length > 0 && piece.length < PIECE) piece += this.#queue.shift()!;
      this.#queued -= piece.length;
      this.#send(piece);
    }
    if (this.#behind || this.#broken) return;
    if (this.#dropped > 0) {
      const dropped = this.#dropped;
      this.#dropped = 0;
      this.#report(this.#dropNotice(dropped));
    }
    if (!this.#behind) this.#settle();
  }

  #settle(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
