import process from "node:process";
import { BoundedOutput } from "./bounded_output.ts";
import { countOf } from "./count_of.ts";
import { nonBlockingStdio, type StdioFd, type StdioSink } from "./stdio_sink.ts";

// Past this much text waiting for a reader that is behind, a server's lines are dropped.
// Enough for a burst from a live reader's point of view: --hex of one 64 KiB read and
// its echo is about 700 KB, the peer table udp.ts prints at exit at most about 700 KB.
const MAX_QUEUED_CHARS = 1024 * 1024;

interface Channel {
  write(text: string): void;
  /** Resolves once everything written has reached the stream's reader side. */
  finish(): Promise<void>;
}

function ended(sink: StdioSink): Promise<void> {
  // end(), not write(""): Bun calls a write's callback before earlier writes reach a pipe.
  return new Promise((resolve) => sink.end(() => resolve()));
}

// A write waits for a slow reader, as `cat` does: a client's stdout is its result and
// must arrive whole, however slowly it is read.
function waitingChannel(sink: StdioSink): Channel {
  return { write: (text) => void sink.write(text), finish: () => ended(sink) };
}

function boundedChannel(fd: StdioFd, report?: (line: string) => void): Channel {
  const sink = nonBlockingStdio(fd);
  const name = fd === 1 ? "stdout" : "stderr";
  const output = new BoundedOutput(sink, {
    maxQueued: MAX_QUEUED_CHARS,
    dropNotice: (dropped) =>
      `${countOf(dropped, fd === 1 ? "line" : "log line")} dropped: ${name} was not being read `
      + `(send it to a file, e.g. ${fd === 1 ? ">" : "2>"} log.txt, or read the pipe)\n`,
    report,
  });
  return {
    write: (text) => output.write(text),
    finish: async () => {
      await output.idle();
      await ended(sink);
    },
  };
}

let stdout: Channel = waitingChannel(process.stdout);
let stderr: Channel = waitingChannel(process.stderr);
let bounded = false;

/**
 * Makes every later line written here skip a reader that is behind instead of
 * waiting for it: up to 1 MiB waits, the rest is dropped and counted, and a
 * line on stderr says how much once the reader catches up. For servers, whose
 * clients must not stop being served because nobody reads the server's log.
 */
export function useNonBlockingOutput(): void {
  if (bounded) return;
  bounded = true;
  stderr = boundedChannel(2);
  // Status goes to stderr, so the count of lost replies does too.
  stdout = boundedChannel(1, (line) => stderr.write(line));
}

/** Whether {@linkcode useNonBlockingOutput} is in effect. */
export function outputIsNonBlocking(): boolean {
  return bounded;
}

/** Resolves once stdout and stderr have taken everything written to them. */
export async function flushOutput(): Promise<void> {
  await Promise.all([stdout.finish(), stderr.finish()]);
}

/**
 * The one place that writes what users read. stdout carries only results
 * (replies, figures) so it can be piped; stderr carries status and errors.
 */
export function printLine(text: string): void {
  stdout.write(`${text}\n`);
}

/** Writes a status or narration line to stderr. */
export function printStatus(text: string): void {
  stderr.write(`${text}\n`);
}

/** Writes an error line to stderr. */
export function printError(text: string): void {
  stderr.write(`${text}\n`);
}
