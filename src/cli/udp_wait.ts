import type { Waiters } from "../net/waiters.ts";

/**
 * Resolves at the next release of `waiters` or at `deadline` (epoch ms),
 * whichever comes first; the timer never outlives the wait.
 */
export function waitUntil(waiters: Waiters, deadline: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  return Promise.race([waiters.wait(), expiry]).finally(() => clearTimeout(timer));
}
