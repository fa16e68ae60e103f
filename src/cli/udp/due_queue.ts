/**
 * Items waiting for their time, taken earliest first; items due at the same
 * time keep the order they were added in. Insertion searches from the back,
 * so items added in due order (a fixed delay) cost O(1) each.
 */
export class DueQueue<T> {
  #items: { due: number; item: T }[] = [];
  #head = 0;

  /** Items waiting. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** The earliest due time, `undefined` when empty. */
  get nextDue(): number | undefined {
    return this.#items[this.#head]?.due;
  }

  /** Adds `item`, due at `due`. */
  add(due: number, item: T): void {
    let at = this.#items.length;
    while (at > this.#head && this.#items[at - 1]!.due > due) at--;
    this.#items.splice(at, 0, { due, item });
  }

  /** Removes and returns the items due at or before `now`, earliest first. */
  takeDue(now: number): T[] {
    const taken: T[] = [];
    while (this.#head < this.#items.length && this.#items[this.#head]!.due <= now) {
      taken.push(this.#items[this.#head++]!.item);
    }
    // Reclaim the taken slots once they are half the array, keeping shifts rare.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return taken;
  }

  /** Removes and returns every item, earliest first. */
  clear(): T[] {
    const all = this.#items.slice(this.#head).map(({ item }) => item);
    this.#items = [];
    this.#head = 0;
    return all;
  }
}
