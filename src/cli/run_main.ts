import process from "node:process";
import { describeError, UsageError } from "../errors/mod.ts";
import { mayReadEnv, NetError } from "../net/mod.ts";
import {
  flushOutput,
  outputIsNonBlocking,
  printError,
  stderrIsJson,
  useJsonStderr,
} from "./output.ts";
import { settleExitCode, stopWasRequested } from "./signals.ts";

/** Exit codes every socklab script uses. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * Runs a script's main function and turns its outcome into an exit code:
 * 0 on success, 2 with a one-line message for a usage error, 1 with a
 * one-line message for anything else. Stack traces only with SOCKLAB_DEBUG=1,
 * since users meet these failures in normal use.
 */
export async function runMain(script: string, main: () => Promise<number | void>): Promise<never> {
  if (asksForJson(process.argv.slice(2))) useJsonStderr();
  let code: number;
  try {
    code = (await main()) ?? EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      code = EXIT.usage;
      printError(`${script}: ${error.message} (see ${script} --help)`, {
        error: "USAGE",
        exit: code,
      });
    } else {
      code = EXIT.failure;
      const stack = debugEnabled() && error instanceof Error ? error.stack : undefined;
      printError(`${script}: ${describeError(error)}`, {
        error: errorCode(error),
        exit: code,
        stack,
      });
      if (stack !== undefined && !stderrIsJson()) printError(stack);
    }
  }
  return await exitAfterFlush(code);
}

// Looked for before parsing, so that a usage error in the same command is JSON too;
// after "--" every word is a message, even "--json".
function asksForJson(args: string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).includes("--json");
}

// The same codes as a narrated "closed" event's `error` field.
function errorCode(error: unknown): string {
  if (error instanceof NetError) return error.code;
  return error instanceof Error ? error.name : "Error";
}

// Read only where already permitted: asking for it would come after the failure it explains.
function debugEnabled(): boolean {
  try {
    return mayReadEnv("SOCKLAB_DEBUG") && process.env.SOCKLAB_DEBUG === "1";
  } catch {
    return false;
  }
}

// After a stop signal, or from a server whose output is best effort, exit does not
// wait longer than this for readers that are behind: Ctrl-C stops a server within a second.
const EXIT_FLUSH_BOUND_MS = 500;

/**
 * Exits once stdout and stderr have taken everything written to them. A
 * program that finished on its own waits for a slow reader (its stdout is a
 * result); after Ctrl-C or SIGTERM, or when output was made non-blocking,
 * the wait is bounded, and a signal during the wait exits at once.
 */
function exitAfterFlush(code: number): Promise<never> {
  return new Promise(() => {
    const exit = () => process.exit(code);
    settleExitCode(code);
    // The user asked to stop; what a reader did not take by now is theirs to lose.
    process.on("SIGINT", exit);
    process.on("SIGTERM", exit);
    if (outputIsNonBlocking() || stopWasRequested()) {
      setTimeout(exit, EXIT_FLUSH_BOUND_MS);
    }
    flushOutput().then(exit, exit);
  });
}
