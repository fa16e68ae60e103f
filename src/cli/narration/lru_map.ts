/**
 * A map that holds at most `maxSize` entries: setting a new key when full
 * drops the entry used least recently. For state kept per peer or per
 * connection, where peers can be made up faster than they leave.
 * @example
 * ```ts
 * import { LruMap } from "./lru_map.ts";
 * const map = new LruMap<string, number>(2);
 * map.set("a", 1);
 * map.set("b", 2);
 * map.get("a");
 * map.set("c", 3);
 * if (map.has("b") || !map.has("a") || map.size !== 2) throw new Error("b should be gone");
 * ```
 */
export class LruMap<K, V> {
  readonly #maxSize: number;
  // A Map iterates in insertion order; re-inserting on use keeps the least recent first.
  readonly #entries = new Map<K, V>();

  /**
   * @param maxSize Most entries kept.
   * @throws {RangeError} when `maxSize` is not a positive integer.
   */
  constructor(maxSize: number) {
    if (!Number.isInteger(maxSize) || maxSize < 1) {
      throw new RangeError(
        `Cannot make an LruMap as 'maxSize' must be a positive integer: current value is ${maxSize}`,
      );
    }
    this.#maxSize = maxSize;
  }

  /** The value for `key`, which now counts as just used; `undefined` when absent. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Whether `key` is held, without counting as a use. */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Sets `key`, dropping the least recently used entry when that makes room. */
  set(key: K, value: V): this {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxSize) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, value);
    return this;
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** How many entries are held. */
  get size(): number {
    return this.#entries.size;
  }
}
