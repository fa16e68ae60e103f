import process from "node:process";

let requested = false;

/** Whether a stop signal (SIGINT, SIGTERM) has arrived since {@linkcode onStopSignal}. */
export function stopWasRequested(): boolean {
  return requested;
}

/**
 * Calls `onStop` once on the first Ctrl-C (SIGINT) or SIGTERM; a second one
 * exits at once with 130, for when a graceful stop hangs.
 */
export function onStopSignal(onStop: () => void): void {
  let stopping = false;
  const handle = () => {
    if (stopping) process.exit(130);
    stopping = true;
    requested = true;
    onStop();
  };
  process.on("SIGINT", handle);
  process.on("SIGTERM", handle);
}
