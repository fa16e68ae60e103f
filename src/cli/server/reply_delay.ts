import { formatDuration, type JitteredDuration } from "../mod.ts";

/**
 * The status line `server.ts --delay` prints at start: what is held, and the
 * seed that repeats the jitter.
 */
export function describeReplyDelay(delay: JitteredDuration, seed: number): string {
  const spread = delay.jitterMs > 0
    ? `${formatDuration(delay.ms)}±${formatDuration(delay.jitterMs)} (--seed ${seed} repeats it)`
    : formatDuration(delay.ms);
  return `--delay: every reply is held ${spread} before it is written, in order; `
    + "TCP delivers it late but never loses it";
}
