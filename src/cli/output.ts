import process from "node:process";

/**
 * The one place that writes what users read. stdout carries only results
 * (replies, figures) so it can be piped; stderr carries status and errors.
 */
export function printLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Writes a status or narration line to stderr. */
export function printStatus(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Writes an error line to stderr. */
export function printError(text: string): void {
  process.stderr.write(`${text}\n`);
}
