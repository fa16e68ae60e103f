import { delay } from "../../async/delay.ts";
import type { IntervalClock } from "../bench/mod.ts";

// Pacing tick: short enough that a burst per tick stays small next to socket buffers.
const TICK_MS = 5;
// A late tick may catch up at most this much sending, so a stall does not become a flood.
const MAX_BURST_MS = 50;

/**
 * Calls `sendOne` at `bitsPerSecond`, counting `unitBytes` per call, until
 * `clock` finishes: a token bucket refilled every tick, so the rate holds on
 * average whatever the timer's granularity.
 */
export async function paceSends(
  bitsPerSecond: number,
  unitBytes: number,
  clock: IntervalClock,
  sendOne: () => void,
): Promise<void> {
  const bytesPerMs = bitsPerSecond / 8 / 1000;
  const burst = Math.max(unitBytes, bytesPerMs * MAX_BURST_MS);
  let tokens = unitBytes;
  let last = performance.now();
  while (!clock.isFinished) {
    const now = performance.now();
    tokens = Math.min(burst, tokens + (now - last) * bytesPerMs);
    last = now;
    while (tokens >= unitBytes && !clock.isFinished) {
      tokens -= unitBytes;
      sendOne();
    }
    await Promise.race([delay(TICK_MS), clock.finished]);
  }
}
