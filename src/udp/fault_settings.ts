/** The faults `--drop`, `--delay`, `--dup` and `--reorder` ask for, and the `--seed`. */
export interface FaultSettings {
  /** Percent of datagrams dropped, on sending and (separately drawn) on receiving. */
  dropPercent: number;
  /** How long each datagram sent waits before it goes. */
  delayMs: number;
  /** Each delay is `delayMs` plus or minus up to this much (at most `delayMs`). */
  jitterMs: number;
  /** Percent of datagrams sent twice. */
  dupPercent: number;
  /** Percent of datagrams held back and sent after the next one. */
  reorderPercent: number;
  /** Where the random decisions start; `undefined` picks one at random. */
  seed: number | undefined;
}
