/**
 * Settles like `promise`, or rejects with `onTimeout()` if `ms` pass first.
 * The one timer race of the project: the timer is cleared as soon as the race
 * is decided, so it never keeps a process alive or fires late.
 * @param promise What is waited for.
 * @param ms How long to wait; a negative time is taken as 0.
 * @param onTimeout Makes the error the race rejects with when time runs out.
 * @returns What `promise` resolves to.
 * @throws {Error} `onTimeout()` when time ran out, or what `promise` rejected with.
 * @example
 * ```ts
 * import { deadline } from "./deadline.ts";
 * const value = await deadline(Promise.resolve(42), 1000, () => new Error("too slow"));
 * if (value !== 42) throw new Error();
 * ```
 */
export function deadline<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

/**
 * Whether `promise` settled, resolved or rejected, within `ms`; never rejects.
 * For waits that go on either way, such as a closing connection lingering
 * for the peer's FIN.
 * @example
 * ```ts
 * import { settlesWithin } from "./deadline.ts";
 * if (await settlesWithin(new Promise(() => {}), 10)) throw new Error();
 * ```
 */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = promise.then(() => true, () => true);
  return deadline(settled, ms, () => new Error("expired")).catch(() => false);
}
