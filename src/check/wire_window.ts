/**
 * The first bytes of a stream, up to `limit`, and how many came in all: what
 * a report card shows of a reply, in bounded memory however much a server
 * sends.
 */
export class WireWindow {
  readonly #head: Uint8Array;
  #kept = 0;
  /** Bytes pushed in all, kept or not. */
  total = 0;

  constructor(limit: number) {
    this.#head = new Uint8Array(limit);
  }

  /** Counts `chunk`, keeping what still fits; copies, so the caller may reuse it. */
  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    const room = this.#head.length - this.#kept;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#head.set(part, this.#kept);
    this.#kept += part.length;
  }

  /** The bytes kept, the first of the stream; shorter than `total` once the window is full. */
  head(): Uint8Array {
    return this.#head.slice(0, this.#kept);
  }
}
