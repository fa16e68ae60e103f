/**
 * Numbers (a caller's ids) waiting for their time, taken earliest first; ids
 * due at the same time keep the order they were added in. A binary heap in
 * typed arrays: adding and taking allocate nothing, so thousands of ids
 * waiting for seconds leave the garbage collector nothing to keep (see
 * `HeldBytes` for why that matters under a flood).
 */
export class DueQueue {
  #due = new Float64Array(64);
  // Order of adding: the tie-break that keeps equal due times first come, first out.
  #order = new Float64Array(64);
  #ids = new Int32Array(64);
  #size = 0;
  #added = 0;

  /** Ids waiting. */
  get size(): number {
    return this.#size;
  }

  /** The earliest due time, `undefined` when empty. */
  get nextDue(): number | undefined {
    return this.#size === 0 ? undefined : this.#due[0];
  }

  /** Adds `id`, due at `due`. */
  add(due: number, id: number): void {
    if (this.#size === this.#ids.length) this.#grow();
    let at = this.#size++;
    const order = this.#added++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.#before(due, order, parent)) break;
      this.#move(parent, at);
      at = parent;
    }
    this.#set(at, due, order, id);
  }

  /** Removes and returns the earliest id if it is due at or before `now`, else -1. */
  takeDue(now: number): number {
    if (this.#size === 0 || this.#due[0]! > now) return -1;
    return this.#takeFirst();
  }

  /** Removes and returns every id, earliest first. */
  clear(): number[] {
    const all: number[] = [];
    while (this.#size > 0) all.push(this.#takeFirst());
    this.#added = 0;
    return all;
  }

  #takeFirst(): number {
    const first = this.#ids[0]!;
    const last = --this.#size;
    if (last === 0) return first;
    const due = this.#due[last]!;
    const order = this.#order[last]!;
    const id = this.#ids[last]!;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= last) break;
      if (child + 1 < last && this.#before(this.#due[child + 1]!, this.#order[child + 1]!, child)) {
        child++;
      }
      if (this.#before(due, order, child)) break;
      this.#move(child, at);
      at = child;
    }
    this.#set(at, due, order, id);
    return first;
  }

  // Whether (due, order) comes before the entry at `at`.
  #before(due: number, order: number, at: number): boolean {
    const other = this.#due[at]!;
    return due < other || (due === other && order < this.#order[at]!);
  }

  #move(from: number, to: number): void {
    this.#due[to] = this.#due[from]!;
    this.#order[to] = this.#order[from]!;
    this.#ids[to] = this.#ids[from]!;
  }

  #set(at: number, due: number, order: number, id: number): void {
    this.#due[at] = due;
    this.#order[at] = order;
    this.#ids[at] = id;
  }

  #grow(): void {
    const size = this.#ids.length * 2;
    const due = new Float64Array(size);
    const order = new Float64Array(size);
    const ids = new Int32Array(size);
    due.set(this.#due);
    order.set(this.#order);
    ids.set(this.#ids);
    this.#due = due;
    this.#order = order;
    this.#ids = ids;
  }
}
