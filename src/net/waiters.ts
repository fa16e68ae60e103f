/** Settles waiters once, when a condition they wait for comes true. */
export class Waiters {
  #resolvers: (() => void)[] = [];

  /** Returns a promise that resolves at the next `release()`. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.#resolvers.push(resolve));
  }

  /** Resolves everyone waiting now. */
  release(): void {
    const resolvers = this.#resolvers;
    if (resolvers.length === 0) return;
    this.#resolvers = [];
    for (const resolve of resolvers) resolve();
  }
}
