/**
 * Settles like `promise`, or rejects with `onTimeout()` if it has not settled
 * within `ms`. The timer never keeps the process alive after the race ends.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}
