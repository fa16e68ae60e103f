import { setTimeout } from "node:timers";

/** The repeats of one kind of event that were counted instead of shown. */
export interface RepeatReport {
  /** Who they happened to, as given to {@linkcode RepeatFilter.shouldShow}. */
  readonly subject: string;
  /** Their kind; {@linkcode OTHER_KINDS} for a subject's kinds past `maxKinds`. */
  readonly kind: string;
  /** How many were counted since the last one shown or reported. */
  readonly count: number;
  /** The detail of the last one counted. */
  readonly last: string;
  /** Milliseconds from the last one shown or reported to this report. */
  readonly elapsedMs: number;
}

/** Options for {@linkcode RepeatFilter}. */
export interface RepeatFilterOptions {
  /**
   * Counted repeats are reported at least this often while they go on, and a
   * kind quiet for this long is shown in full again; `Infinity` reports only
   * on {@linkcode RepeatFilter.settle}. @default {10000}
   */
  windowMs?: number;
  /** Most kinds told apart per subject; later kinds share one count. @default {8} */
  maxKinds?: number;
  /** Most subjects tracked; the longest-tracked one is settled to make room. @default {10000} */
  maxSubjects?: number;
  /** Receives each report of counted repeats; without it they are only forgotten. */
  onRepeats?: (report: RepeatReport) => void;
  /** The clock, in milliseconds. @default {Date.now} */
  now?: () => number;
}

/** The kind under which a subject's kinds past `maxKinds` are counted together. */
export const OTHER_KINDS = "(other kinds)";

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot filter repeats as '${name}' must be a positive integer: current value is ${value}`,
    );
  }
}

interface Tally {
  count: number;
  last: string;
  since: number;
}

/**
 * Decides which of a stream of repeated events to show: the first of each kind
 * per subject (a client, a peer), then only a count of the rest, reported when
 * the subject is settled (it left) or once per window while the repeats go on.
 * What a flood of identical failures costs the log is then a few lines per
 * subject, not one per failure.
 * @example
 * ```ts
 * import { RepeatFilter } from "./repeat_filter.ts";
 * const lines: string[] = [];
 * const filter = new RepeatFilter({
 *   windowMs: Infinity,
 *   onRepeats: (r) => lines.push(`${r.subject}: ${r.count} more`),
 * });
 * for (let i = 0; i < 3; i++) {
 *   if (filter.shouldShow("client 1", "INVALID_UTF8", "bad")) lines.push("client 1: bad");
 * }
 * filter.settle("client 1");
 * if (lines.join("|") !== "client 1: bad|client 1: 2 more") throw new Error(lines.join("|"));
 * ```
 */
export class RepeatFilter {
  readonly #windowMs: number;
  readonly #maxKinds: number;
  readonly #maxSubjects: number;
  readonly #onRepeats: ((report: RepeatReport) => void) | undefined;
  readonly #now: () => number;
  // Insertion order is the order subjects were first seen, which is what eviction needs.
  readonly #subjects = new Map<string, Map<string, Tally>>();
  #pending = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param options Window, bounds and where reports go.
   * @throws {RangeError} when a bound is not a positive integer or the window is not positive.
   */
  constructor(options: RepeatFilterOptions = {}) {
    this.#windowMs = options.windowMs ?? 10_000;
    this.#maxKinds = options.maxKinds ?? 8;
    this.#maxSubjects = options.maxSubjects ?? 10_000;
    this.#onRepeats = options.onRepeats;
    this.#now = options.now ?? Date.now;
    if (!(this.#windowMs > 0)) {
      throw new RangeError(
        `Cannot filter repeats as 'windowMs' must be positive: current value is ${this.#windowMs}`,
      );
    }
    positiveInteger("maxKinds", this.#maxKinds);
    positiveInteger("maxSubjects", this.#maxSubjects);
  }

  /**
   * Records one event of `kind` for `subject`.
   * @param subject Who it happened to; also the key that {@linkcode settle} takes.
   * @param kind What makes two events the same (an error code, not its wording).
   * @param detail This event's own words, kept for the report of repeats.
   * @returns Whether to show this event: true for the first of its kind, false for a repeat.
   */
  shouldShow(subject: string, kind: string, detail: string): boolean {
    const now = this.#now();
    let kinds = this.#subjects.get(subject);
    if (!kinds) {
      if (this.#subjects.size >= this.#maxSubjects) {
        this.settle(this.#subjects.keys().next().value!);
      }
      this.#subjects.set(subject, kinds = new Map());
    }
    if (!kinds.has(kind) && kinds.size >= this.#maxKinds) kind = OTHER_KINDS;
    const tally = kinds.get(kind);
    if (!tally) {
      kinds.set(kind, { count: 0, last: detail, since: now });
      return true;
    }
    const windowOver = now - tally.since >= this.#windowMs;
    if (tally.count === 0 && windowOver) {
      // Quiet for a whole window: this is news again, not part of a flood.
      tally.since = now;
      return true;
    }
    tally.count++;
    tally.last = detail;
    if (tally.count === 1) this.#counting();
    if (windowOver) this.#report(subject, kind, tally, now);
    return false;
  }

  /** Reports what was counted for `subject` and forgets it; for when a client leaves. */
  settle(subject: string): void {
    const kinds = this.#subjects.get(subject);
    if (!kinds) return;
    this.#subjects.delete(subject);
    const now = this.#now();
    for (const [kind, tally] of kinds) this.#report(subject, kind, tally, now);
  }

  /** Reports everything still counted and forgets every subject; for when the program stops. */
  settleAll(): void {
    for (const subject of [...this.#subjects.keys()]) this.settle(subject);
  }

  /** How many subjects are tracked now. */
  get subjects(): number {
    return this.#subjects.size;
  }

  #report(subject: string, kind: string, tally: Tally, now: number): void {
    if (tally.count === 0) return;
    const report = {
      subject,
      kind,
      count: tally.count,
      last: tally.last,
      elapsedMs: now - tally.since,
    };
    tally.count = 0;
    tally.since = now;
    if (--this.#pending === 0) this.#stopTimer();
    this.#onRepeats?.(report);
  }

  // A subject that goes quiet mid-flood would otherwise keep its count until it leaves.
  #counting(): void {
    this.#pending++;
    if (this.#timer || !this.#onRepeats || !Number.isFinite(this.#windowMs)) return;
    this.#timer = setTimeout(() => this.#sweep(), this.#windowMs);
    // A pending report must never be what keeps a finished program alive.
    this.#timer.unref();
  }

  #sweep(): void {
    this.#timer = undefined;
    const now = this.#now();
    for (const [subject, kinds] of this.#subjects) {
      for (const [kind, tally] of kinds) {
        if (tally.count > 0 && now - tally.since >= this.#windowMs) {
          this.#report(subject, kind, tally, now);
        }
      }
    }
    if (this.#pending > 0 && !this.#timer) {
      this.#timer = setTimeout(() => this.#sweep(), this.#windowMs);
      this.#timer.unref();
    }
  }

  #stopTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
