import process from "node:process";
import { describeError } from "./describe_error.ts";
import { printError } from "./output.ts";
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

/** Exits once stdout and stderr have taken everything written to them. */
export function exitAfterFlush(code: number): Promise<never> {
  return new Promise(() => {
    let pending = 2;
    const done = () => {
      if (--pending === 0) process.exit(code);
    };
    // end(), not write(""): Bun calls a write's callback before earlier writes reach a pipe.
    process.stdout.end(done);
    process.stderr.end(done);
  });
}
