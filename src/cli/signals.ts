import process from "node:process";

let requested = false;
// Until the program knows how it ends, a repeated signal means the graceful stop hangs.
let repeatExitCode = 130;

/** Whether a stop signal (SIGINT, SIGTERM) has arrived since {@linkcode onStopSignal}. */
export function stopWasRequested(): boolean {
  return requested;
}

/**
 * Calls `onStop` once on the first Ctrl-C (SIGINT) or SIGTERM; a second one
 * exits at once, with 130 while the stop is still under way.
 */
export function onStopSignal(onStop: () => void): void {
  let stopping = false;
  const handle = () => {
    if (stopping) process.exit(repeatExitCode);
    stopping = true;
    requested = true;
    onStop();
  };
  process.on("SIGINT", handle);
  process.on("SIGTERM", handle);
}

/**
 * Records the status the program exits with once its output is flushed: a
 * signal from then on exits at once with it, since the stop has done its work
 * and a second Ctrl-C (or a runtime that delivers one twice) must not turn a
 * clean stop into a failure.
 */
export function settleExitCode(code: number): void {
  repeatExitCode = code;
}
