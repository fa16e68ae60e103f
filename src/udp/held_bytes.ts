// Room for the copies datagrams leave with; a new slab once one is full.
const OUT_SLAB_BYTES = 256 * 1024;

/**
 * One buffer, used as a ring, where the datagrams the fault layer keeps
 * waiting hold their bytes, so that the 16 MiB `--help` says may wait is
 * what waiting costs, plus the collectors' lag (see `FaultLimits`). Under a
 * flood, 20 s, Deno grew 363-553 MiB and Bun 156 MiB before; 12 s, Deno 365
 * and Bun 97 before, 60 and 69 after. Kept as they came, datagrams pin memory
 * the promise does not count: on Deno each is a view of a 256 KiB receive
 * slab that stays alive as long as any view of it does, and on both runtimes
 * thousands of separate buffers outliving the young generation are freed
 * only by a full collection, long after they left.
 *
 * Each datagram held is an entry, a number, and its bookkeeping lives in
 * typed arrays: an object per waiting datagram, kept for seconds, was
 * promoted out of the young generation by the thousand, and the collectors
 * then let tens of MiB of dead ones pile up, and grew the young generation,
 * so that receive buffers waited longer to be freed too.
 *
 * Entries are taken in order and leave in any order (each delay has its own
 * jitter); one still waiting pins the room of those taken after it, so a
 * ring full of entries behind a long-waiting one refuses bytes a little
 * before the total reaches its capacity: the excess is dropped as the
 * promise says.
 */
export class HeldBytes {
  /** Most bytes held at once. */
  readonly capacity: number;
  /** Most entries at once, freed ones still behind a waiting one included. */
  readonly maxEntries: number;
  #buffer: Uint8Array | undefined;
  readonly #starts: Int32Array;
  readonly #lengths: Int32Array;
  readonly #freed: Uint8Array;
  // Entries in the ring, oldest first: #first and the #count after it.
  #first = 0;
  #count = 0;
  // Bytes: the live ones lie from #read to #write, wrapping past the end.
  #read = 0;
  #write = 0;
  #used = 0;
  #outSlab = new Uint8Array(0);
  #outUsed = 0;

  /**
   * @param capacity Most bytes held at once.
   * @param maxEntries Most entries at once.
   */
  constructor(capacity: number, maxEntries: number) {
    this.capacity = capacity;
    this.maxEntries = maxEntries;
    this.#starts = new Int32Array(maxEntries);
    this.#lengths = new Int32Array(maxEntries);
    this.#freed = new Uint8Array(maxEntries);
  }

  /** Bytes held now. */
  get used(): number {
    return this.#used;
  }

  /** Copies `data` in, returning its entry, or -1 when there is no room for it. */
  hold(data: Uint8Array): number {
    const length = data.length;
    if (this.#count === this.maxEntries || this.#used + length > this.capacity) return -1;
    const start = length === 0 ? this.#write : this.#startFor(length);
    if (start < 0) return -1;
    if (length > 0) {
      // Its pages are touched, and so cost memory, only as the ring first fills.
      this.#buffer ??= new Uint8Array(this.capacity);
      this.#buffer.set(data, start);
      this.#write = start + length;
      this.#used += length;
    }
    const entry = (this.#first + this.#count) % this.maxEntries;
    this.#count++;
    this.#starts[entry] = start;
    this.#lengths[entry] = length;
    this.#freed[entry] = 0;
    return entry;
  }

  /** How many bytes `entry` holds. */
  lengthOf(entry: number): number {
    return this.#lengths[entry]!;
  }

  /**
   * A copy of what `entry` holds, its own from now on (the socket may keep it
   * a while). Copies are laid one after another in a slab, as the receive
   * side's datagrams are on Deno: a buffer of its own per datagram made the
   * collectors of both runtimes hold tens of MiB of dead ones under a flood.
   */
  copyOut(entry: number): Uint8Array {
    const length = this.#lengths[entry]!;
    if (length === 0) return new Uint8Array(0);
    if (this.#outSlab.length - this.#outUsed < length) {
      this.#outSlab = new Uint8Array(Math.max(OUT_SLAB_BYTES, length));
      this.#outUsed = 0;
    }
    const at = this.#outUsed;
    const start = this.#starts[entry]!;
    this.#outSlab.set(this.#buffer!.subarray(start, start + length), at);
    this.#outUsed += length;
    return this.#outSlab.subarray(at, at + length);
  }

  /** Gives `entry`'s room back; once freed, an entry is not read again. */
  free(entry: number): void {
    if (this.#freed[entry] === 1) return;
    this.#freed[entry] = 1;
    this.#used -= this.#lengths[entry]!;
    while (this.#count > 0 && this.#freed[this.#first] === 1) {
      const length = this.#lengths[this.#first]!;
      // Bytes leave the ring in the order they came, so the read edge is the end of the last to go.
      if (length > 0) this.#read = this.#starts[this.#first]! + length;
      this.#first = (this.#first + 1) % this.maxEntries;
      this.#count--;
    }
    if (this.#count === 0) this.#read = this.#write = 0;
  }

  /** Frees everything. */
  clear(): void {
    this.#first = this.#count = 0;
    this.#read = this.#write = this.#used = 0;
  }

  // Where `length` bytes fit, or -1. A datagram never wraps: when the
  // ring's end is too short, its bytes go to the start, if the oldest live
  // bytes begin far enough in.
  #startFor(length: number): number {
    const read = this.#read;
    const write = this.#write;
    if (this.#used === 0 || read < write) {
      if (write + length <= this.capacity) return write;
      return length <= (this.#used === 0 ? this.capacity : read) ? 0 : -1;
    }
    // Wrapped: the room left is between the newest bytes and the oldest.
    return write + length <= read ? write : -1;
  }
}
