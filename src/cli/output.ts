import process from "node:process";
import { countOf } from "../bytes/mod.ts";
import { BoundedOutput } from "./bounded_output.ts";
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
// must arrive whole, however slowly it is read. A reader that went away (EPIPE, as
// with `| head -1`) is told to `onBroken` once; what is written after is dropped.
// Deno throws EPIPE from write() itself, Bun emits it as an error event.
function waitingChannel(sink: StdioSink, onBroken: () => void): Channel {
  let broken = false;
  const breaks = () => {
    if (broken) return;
    broken = true;
    onBroken();
  };
  sink.on("error", breaks);
  return {
    write: (text) => {
      if (broken) return;
      try {
        sink.write(text);
      } catch {
        breaks();
      }
    },
    finish: () => broken ? Promise.resolve() : ended(sink),
  };
}

// Nobody reads the results any more: stop, as a program killed by SIGPIPE does,
// instead of working on for nobody (a bench, a client fed by `yes`).
const resultsUnread = () => process.exit(1);

function boundedChannel(fd: StdioFd, report?: (line: string) => void): Channel {
  const sink = nonBlockingStdio(fd);
  const name = fd === 1 ? "stdout" : "stderr";
  // Both notices end up on stderr (stdout's through `report`), so they follow its form.
  const output = new BoundedOutput(sink, {
    maxQueued: MAX_QUEUED_CHARS,
    dropNotice: (dropped) =>
      stderrLine(
        "status",
        `${countOf(dropped, fd === 1 ? "line" : "log line")} dropped: ${name} was not being read `
          + `(send it to a file, e.g. ${fd === 1 ? ">" : "2>"} log.txt, or read the pipe)`,
      ),
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

let stdout: Channel = waitingChannel(process.stdout, resultsUnread);
let jsonStderr = false;
let stderr: Channel = waitingChannel(process.stderr, () => {});
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
 * Makes every later stderr line one JSON object, so that with `--json` a
 * grader can parse the whole stream: status lines become `status` events and
 * errors `error` events, each with `time` and `message`, beside narration's
 * own events.
 */
export function useJsonStderr(): void {
  jsonStderr = true;
}

/** Whether {@linkcode useJsonStderr} is in effect. */
export function stderrIsJson(): boolean {
  return jsonStderr;
}

/** A stderr line, newline included, in the form in effect. */
function stderrLine(
  event: "status" | "error",
  text: string,
  details?: Record<string, unknown>,
): string {
  if (!jsonStderr) return `${text}\n`;
  return `${
    JSON.stringify({ time: new Date().toISOString(), event, message: text, ...details })
  }\n`;
}

/**
 * The one place that writes what users read. stdout carries only results
 * (replies, figures) so it can be piped; stderr carries status and errors.
 */
export function printLine(text: string): void {
  stdout.write(`${text}\n`);
}

/** Writes a status line to stderr (a `status` event with `--json`). */
export function printStatus(text: string): void {
  stderr.write(stderrLine("status", text));
}

/**
 * Writes an error line to stderr (an `error` event with `--json`).
 * @param details Fields only the JSON form carries, such as the error's `code`.
 */
export function printError(text: string, details?: Record<string, unknown>): void {
  stderr.write(stderrLine("error", text, details));
}

/** Writes a narration line to stderr as it is: a sentence, a hex dump, or a JSON event. */
export function printNarration(line: string): void {
  stderr.write(`${line}\n`);
}
