import process from "node:process";
import { describeError } from "./describe_error.ts";
import { flushOutput, outputIsNonBlocking, printError } from "./output.ts";
import { stopWasRequested } from "./signals.ts";
import { UsageError } from "./usage_error.ts";

/** Exit codes every socklab script uses. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * Runs a script's main function and turns its outcome into an exit code:
 * 0 on success, 2 with a one-line message for a usage error, 1 with a
 * one-line message for anything else. Stack traces only with SOCKLAB_DEBUG=1,
 * since users meet these failures in normal use.
 */
export async function runMain(script: string, main: () => Promise<number | void>): Promise<never> {
  let code: number;
  try {
    code = (await main()) ?? EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      printError(`${script}: ${error.message} (see ${script} --help)`);
      code = EXIT.usage;
    } else {
      printError(`${script}: ${describeError(error)}`);
      if (debugEnabled() && error instanceof Error) printError(error.stack ?? "");
      code = EXIT.failure;
    }
  }
  return await exitAfterFlush(code);
}

// Reading the environment needs a permission Deno's default set does not grant; no permission, no debug.
function debugEnabled(): boolean {
  try {
    return process.env.SOCKLAB_DEBUG === "1";
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
    // The user asked to stop; what a reader did not take by now is theirs to lose.
    process.on("SIGINT", exit);
    process.on("SIGTERM", exit);
    if (outputIsNonBlocking() || stopWasRequested()) {
      setTimeout(exit, EXIT_FLUSH_BOUND_MS);
    }
    flushOutput().then(exit, exit);
  });
}
