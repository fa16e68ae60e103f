import { Waiters } from "../async/mod.ts";
import type { SocketAddress, StreamEvents, TcpConnection } from "../net/mod.ts";

/** How long each write is held, as a slow network would hold it. */
export interface WriteDelay {
  /** The base delay, in milliseconds. */
  readonly ms: number;
  /** Up to this much more or less, in milliseconds, drawn per write. @default {0} */
  readonly jitterMs?: number;
  /** Where the jitter comes from: numbers in [0, 1). @default {Math.random} */
  readonly random?: () => number;
}

// Counted per held write on top of its bytes, as the write queue counts its parts.
const HELD_OVERHEAD_BYTES = 64;

/**
 * A connection whose writes are each held for a while before they are
 * written: latency without loss. Held bytes count in `bufferedBytes` and
 * `bufferedMemory`, so the owner's backpressure stops reading a client whose
 * replies pile up here just as when they pile up in the socket. Writes leave
 * in the order they were made, jitter or not, since TCP never reorders.
 */
export class DelayedConnection implements TcpConnection {
  readonly #inner: TcpConnection;
  readonly #delay: WriteDelay;
  #held: { bytes: Uint8Array; due: number }[] = [];
  #heldBytes = 0;
  #lastDue = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #released = new Waiters();
  #closed = false;

  /** Holds the writes to `inner` as `delay` says. */
  constructor(inner: TcpConnection, delay: WriteDelay) {
    this.#inner = inner;
    this.#delay = delay;
  }

  /** The longest one write may be held, in milliseconds. */
  get maxDelayMs(): number {
    return this.#delay.ms + (this.#delay.jitterMs ?? 0);
  }

  get localAddress(): SocketAddress {
    return this.#inner.localAddress;
  }

  get remoteAddress(): SocketAddress {
    return this.#inner.remoteAddress;
  }

  get bufferedBytes(): number {
    return this.#heldBytes + this.#inner.bufferedBytes;
  }

  get bufferedMemory(): number {
    return this.#heldBytes + this.#held.length * HELD_OVERHEAD_BYTES + this.#inner.bufferedMemory;
  }

  get writtenBytes(): number {
    return this.#inner.writtenBytes;
  }

  start(events: StreamEvents): void {
    this.#inner.start({
      data: (chunk) => events.data(chunk),
      end: () => events.end(),
      close: (error) => {
        this.#drop();
        events.close(error);
      },
    });
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.#closed) return;
    const { ms, jitterMs = 0, random = Math.random } = this.#delay;
    const wanted = Date.now() + ms + (jitterMs > 0 ? (random() * 2 - 1) * jitterMs : 0);
    // Never before the write ahead of it: jitter changes when, not in what order.
    const due = Math.max(wanted, this.#lastDue);
    this.#lastDue = due;
    this.#held.push({ bytes, due });
    this.#heldBytes += bytes.length;
    this.#timer ??= setTimeout(this.#release, Math.max(0, due - Date.now()));
  }

  readonly #release = (): void => {
    this.#timer = undefined;
    const now = Date.now();
    let next = this.#held[0];
    while (next && next.due <= now) {
      this.#held.shift();
      this.#heldBytes -= next.bytes.length;
      this.#inner.write(next.bytes);
      next = this.#held[0];
    }
    if (next) this.#timer = setTimeout(this.#release, Math.max(0, next.due - now));
    else this.#released.release();
  };

  // The held bytes may be views of a chunk the adapter would read into again:
  // the chunk is kept, as on runtimes that hand out new memory for every chunk.
  releaseChunk(): void {}

  async flushed(): Promise<void> {
    while (this.#held.length > 0) await this.#released.wait();
    await this.#inner.flushed();
  }

  /** Sends FIN once every held write has gone. */
  async closeWrite(): Promise<void> {
    while (this.#held.length > 0) await this.#released.wait();
    await this.#inner.closeWrite();
  }

  close(): void {
    this.#drop();
    this.#inner.close();
  }

  setNoDelay(noDelay: boolean): void {
    this.#inner.setNoDelay(noDelay);
  }

  #drop(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held = [];
    this.#heldBytes = 0;
    this.#released.release();
  }
}
