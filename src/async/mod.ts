/**
 * Waiting, bounded: a delay, a deadline, and waiters that a close wakes.
 * @module
 */
export { deadline, settlesWithin } from "./deadline.ts";
export { delay } from "./delay.ts";
export { Waiters } from "./waiters.ts";
