import { Waiters } from "../async/mod.ts";
import { concatBytes, followsOn } from "../bytes/mod.ts";

// Writes are joined up to this size, so many small replies cost one syscall.
const COALESCE_BYTES = 64 * 1024;
/** Parts at least this big are written as they are: copying them costs more than a write call. */
export const WRITE_AS_IS_BYTES = 16 * 1024;
// What holding one part costs besides its bytes (the array slot, and the view
// object when the part is not shared): counted so that a queue of many tiny
// parts is charged for the memory it really holds, not only its payload.
const PART_OVERHEAD_BYTES = 64;

/**
 * The bytes a connection has accepted but the operating system has not taken
 * yet, shared by every runtime's adapter: each adapter only moves what `take`
 * hands it into its socket and says how much went. Owning the queue in one
 * place keeps one meaning for `bufferedBytes`, `flushed()` and FIN-after-drain.
 */
export class WriteQueue {
  #parts: Uint8Array[] = [];
  #bytes = 0;
  #written = 0;
  #finRequested = false;
  readonly #flushWaiters = new Waiters();

  /** Payload bytes accepted and not yet taken by the operating system, a write under way included. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Parts waiting to be taken. */
  get length(): number {
    return this.#parts.length;
  }

  /** What the waiting parts hold in memory, bookkeeping included. */
  get memoryBytes(): number {
    return this.#bytes + this.#parts.length * PART_OVERHEAD_BYTES;
  }

  /** Bytes handed to the operating system so far: a stalled reader leaves it unchanged. */
  get writtenBytes(): number {
    return this.#written;
  }

  /** Whether a FIN was asked for; nothing may be queued after it. */
  get finRequested(): boolean {
    return this.#finRequested;
  }

  /** Adds `bytes` behind what waits; the caller must not change them afterwards. */
  push(bytes: Uint8Array): void {
    this.#parts.push(bytes);
    this.#bytes += bytes.length;
  }

  /**
   * Removes the next write: small parts joined into one (a view when they lie
   * back to back in one buffer, else a copy), a large part as it is. Its bytes
   * still count in `bytes` until `wrote` says the operating system took them.
   */
  take(): Uint8Array | undefined {
    const parts = this.#parts;
    const first = parts[0];
    if (first === undefined) return undefined;
    let count = 1;
    let total = first.length;
    let contiguous = true;
    if (first.length < COALESCE_BYTES) {
      while (count < parts.length) {
        const next = parts[count]!;
        const follows: boolean = contiguous && followsOn(parts[count - 1]!, next);
        // Back-to-back views join for free; anything else is copied, so only while small.
        if (
          !follows && (next.length >= WRITE_AS_IS_BYTES || total + next.length > COALESCE_BYTES)
        ) {
          break;
        }
        contiguous = follows;
        total += next.length;
        count++;
      }
    }
    // pop() when it is the only part: shift() moves the array's start, which
    // V8 does by trimming its storage, and the next push has to grow it again.
    if (count === 1) return parts.length === 1 ? parts.pop() : parts.shift();
    const taken = parts.splice(0, count);
    return contiguous
      ? new Uint8Array(first.buffer, first.byteOffset, total)
      : concatBytes(taken, total);
  }

  /** Puts back what the operating system did not take of the last write, to go first next time. */
  putBack(rest: Uint8Array): void {
    this.#parts.unshift(rest);
  }

  /** Records `count` bytes of taken writes accepted by the operating system. */
  wrote(count: number): void {
    this.#bytes -= count;
    this.#written += count;
  }

  /** Asks for a FIN once everything queued has gone. */
  requestFin(): void {
    this.#finRequested = true;
  }

  /** Resolves at the next `settled()`. */
  flushed(): Promise<void> {
    return this.#flushWaiters.wait();
  }

  /** Everything queued has gone, or the connection closed: wakes `flushed()` waiters. */
  settled(): void {
    this.#flushWaiters.release();
  }

  /** Drops everything waiting, for a connection that closed. */
  clear(): void {
    this.#parts = [];
    this.#bytes = 0;
    this.#flushWaiters.release();
  }
}
