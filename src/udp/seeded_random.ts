/**
 * A small seeded pseudo-random source, so that a class given the same `--seed`
 * sees the same faults and the same jitter. Not for anything secret.
 *
 * The generator is mulberry32 (Tommy Ettinger's 32-bit state mixer, public
 * domain): one multiply-xorshift round per number, enough to spread drops
 * and delays evenly, and the same sequence on every runtime.
 * @module
 */

/** A source of numbers in [0, 1) that repeats for the same seed. */
export interface SeededRandom {
  /** The seed it started from, to print so a run can be repeated. */
  readonly seed: number;
  /** The next number, from 0 (included) to 1 (excluded). */
  next(): number;
}

/** The largest `--seed`: the generator keeps 32 bits of state. */
export const MAX_SEED = 0xffffffff;

/**
 * Starts a source at `seed` (an integer from 0 to {@linkcode MAX_SEED}); without
 * one, a seed is picked at random and kept in `seed`.
 * @example
 * ```ts
 * import { seededRandom } from "./seeded_random.ts";
 * const a = seededRandom(42), b = seededRandom(42);
 * if (a.next() !== b.next()) throw new Error("not repeatable");
 * ```
 */
export function seededRandom(seed?: number): SeededRandom {
  const start = seed ?? Math.floor(Math.random() * (MAX_SEED + 1));
  let state = start >>> 0;
  return {
    seed: start,
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}
