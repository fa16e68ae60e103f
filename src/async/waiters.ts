import { deadline as withDeadline } from "./deadline.ts";

/** Settles waiters once, when a condition they wait for comes true. */
export class Waiters {
  #resolvers: (() => void)[] = [];

  /** Returns a promise that resolves at the next `release()`. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.#resolvers.push(resolve));
  }

  /**
   * Like `wait()`, but rejects with `onTimeout()` once `deadline` (a
   * `Date.now()` time) passes; no deadline waits as long as it takes.
   */
  waitBefore(deadline: number | undefined, onTimeout: () => Error): Promise<void> {
    const arrival = this.wait();
    return deadline === undefined
      ? arrival
      : withDeadline(arrival, deadline - Date.now(), onTimeout);
  }

  /** Resolves everyone waiting now. */
  release(): void {
    const resolvers = this.#resolvers;
    if (resolvers.length === 0) return;
    this.#resolvers = [];
    for (const resolve of resolvers) resolve();
  }
}
