// How a UDP throughput run paces its sends: a token bucket, held back while the system is behind.
import { settlesWithin } from "../async/mod.ts";
import type { IntervalClock } from "./clock.ts";

// Pacing tick: short enough that a burst per tick stays small next to socket buffers.
const TICK_MS = 5;
// A late tick may catch up at most this much sending, so a stall does not become a flood.
const MAX_BURST_MS = 50;
// What a stall cost beyond that is owed (up to a second's worth) and made
// good a quarter of a tick's sending at a time, so the run's average reaches
// the rate, as iperf3's does, without a burst past the receiver's buffer.
// Measured at 1 Gbit/s on loopback: the first second, with the JIT still
// compiling, sent 877-923 Mbit/s before.
const CATCH_UP_SHARE = 0.25;
const MAX_OWED_MS = 1000;
// At most this much of the rate's sending may wait to be taken by the system
// (its send buffer full, or Deno handing datagrams over one at a time); past
// it the sender waits, as a blocking socket makes iperf3 wait, instead of
// queueing what would reach the link seconds late.
const MAX_QUEUED_MS = 100;
const MIN_QUEUED_DATAGRAMS = 16;
// Well inside the adapters' own bounds (4,096 datagrams, 16 MiB), which drop past them.
const MAX_QUEUED_DATAGRAMS = 1024;
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
// Ample for that fraction of a second of sending to leave, even on a link a tenth of --rate.
const FLUSH_WAIT_MS = 2000;

/** How a paced run went. */
export interface Pacing {
  /** Time the sender spent waiting for datagrams it had sent to leave for the system. */
  heldBackMs: number;
  /** What was sent, as a share of what the rate asked for over the run: 1 when it kept up. */
  sentShare: number;
}

/**
 * Calls `sendOne` at `bitsPerSecond`, counting `unitBytes` per call, until
 * `clock` finishes: a token bucket refilled every tick, so the rate holds on
 * average whatever the timer's granularity. While `queued()` datagrams wait
 * for the system, more than a short while's worth, sending pauses: the rate
 * falls to what the link takes. After `maxSends` calls the run is complete:
 * the clock ends there.
 */
export async function paceSends(
  bitsPerSecond: number,
  unitBytes: number,
  clock: IntervalClock,
  sendOne: () => void,
  queued: () => number,
  maxSends = Infinity,
): Promise<Pacing> {
  const bytesPerMs = bitsPerSecond / 8 / 1000;
  const burst = Math.max(unitBytes, bytesPerMs * MAX_BURST_MS);
  const maxQueued = Math.min(
    MAX_QUEUED_DATAGRAMS,
    Math.floor(MAX_QUEUED_BYTES / unitBytes),
    Math.max(MIN_QUEUED_DATAGRAMS, Math.floor((bytesPerMs * MAX_QUEUED_MS) / unitBytes)),
  );
  const pacing: Pacing = { heldBackMs: 0, sentShare: 1 };
  let tokens = unitBytes;
  let owed = 0;
  const maxOwed = bytesPerMs * MAX_OWED_MS;
  const catchUpPerTick = bytesPerMs * TICK_MS * CATCH_UP_SHARE;
  let sentBytes = 0;
  let sends = 0;
  const started = performance.now();
  let last = started;
  let held = false;
  // The tick's timer ends with the clock, so a finished run leaves no timer behind.
  let tick: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  void clock.finished.then(() => {
    clearTimeout(tick);
    wake?.();
  });
  while (!clock.isFinished) {
    const now = performance.now();
    if (held) pacing.heldBackMs += now - last;
    tokens += (now - last) * bytesPerMs;
    if (tokens > burst) {
      // Held back too: a receiver that stalled a moment is made good after, as
      // iperf3's blocking socket does; a link that is slower stays full.
      owed = Math.min(maxOwed, owed + tokens - burst);
      tokens = burst;
    }
    const repaid = Math.min(owed, catchUpPerTick);
    owed -= repaid;
    tokens += repaid;
    last = now;
    held = false;
    while (tokens >= unitBytes && !clock.isFinished) {
      if (queued() >= maxQueued) {
        held = true;
        break;
      }
      tokens -= unitBytes;
      sentBytes += unitBytes;
      sendOne();
      if (++sends >= maxSends) clock.complete();
    }
    if (clock.isFinished) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
      tick = setTimeout(resolve, TICK_MS);
    });
  }
  const due = (performance.now() - started) * bytesPerMs;
  if (due > 0) pacing.sentShare = Math.min(1, sentBytes / due);
  return pacing;
}

/**
 * Waits until what a paced run left queued has gone to the system, for a
 * bounded while: replies and reports are waited for only after that, since
 * on a slow link the last datagrams may still be here when sending stops.
 */
export async function sentQueued(endpoint: { flushed(): Promise<void> }): Promise<void> {
  await settlesWithin(endpoint.flushed(), FLUSH_WAIT_MS);
}
