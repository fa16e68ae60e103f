import process from "node:process";

/**
 * The live `\r`-updated status line of a throughput run. It appears only when
 * stdout is a terminal, so piped or redirected output holds only the report.
 * It writes to stdout directly because it must overwrite itself in place,
 * which line-based output cannot.
 */
export class ProgressLine {
  readonly #enabled: boolean;
  #shown = false;

  /** @param enabled Usually `process.stdout.isTTY && !json`. */
  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  /** Tells whether a live line should be drawn: stdout is a terminal and no JSON is wanted. */
  static wanted(json: boolean): boolean {
    return !json && process.stdout.isTTY === true;
  }

  /** Replaces the line with `text`. */
  show(text: string): void {
    if (!this.#enabled) return;
    process.stdout.write(`\r${text}\x1b[K`);
    this.#shown = true;
  }

  /** Erases the line, so a report line can print in its place. */
  clear(): void {
    if (!this.#shown) return;
    process.stdout.write("\r\x1b[K");
    this.#shown = false;
  }
}
