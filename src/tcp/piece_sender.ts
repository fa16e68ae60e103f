import type { TcpConnection } from "../net/mod.ts";

/** How each message is cut up on its way out, to show TCP segmentation. */
export interface PieceOptions {
  /** Most bytes per write. */
  readonly bytes: number;
  /** Pause between two pieces, in milliseconds. @default {0} */
  readonly pauseMs?: number;
}

/**
 * Writes messages in pieces of at most `bytes`, in order. Each piece is its
 * own write: the next is queued only once the operating system has taken the
 * one before, since pieces queued together would be joined into one write by
 * the connection's write queue and students would see one segment, not many.
 */
export class PieceSender {
  readonly #connection: TcpConnection;
  readonly #bytes: number;
  readonly #pauseMs: number;
  readonly #onPiece: (piece: Uint8Array, last: boolean) => void;
  #waiting: Uint8Array[] = [];
  #waitingBytes = 0;
  #running: Promise<void> | undefined;
  #stopped = false;
  // Ends the pause under way at once: a closed connection keeps no timer alive.
  #cancelPause: (() => void) | undefined;

  /**
   * @param connection Where the pieces go.
   * @param options Piece size and pause.
   * @param onPiece Told of each piece once written; `last` when it ends a message.
   */
  constructor(
    connection: TcpConnection,
    options: PieceOptions,
    onPiece: (piece: Uint8Array, last: boolean) => void,
  ) {
    if (!Number.isInteger(options.bytes) || options.bytes < 1) {
      throw new RangeError(`pieces must be at least 1 byte, got ${options.bytes}`);
    }
    this.#connection = connection;
    this.#bytes = options.bytes;
    this.#pauseMs = options.pauseMs ?? 0;
    this.#onPiece = onPiece;
  }

  /** Bytes of messages not yet handed to the connection. */
  get bufferedBytes(): number {
    return this.#waitingBytes;
  }

  /** Queues one message (its wire bytes); the caller must not change them afterwards. */
  send(message: Uint8Array): void {
    if (this.#stopped || message.length === 0) return;
    this.#waiting.push(message);
    this.#waitingBytes += message.length;
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
  }

  /** Resolves once every queued piece has been written, or sending stopped. */
  idle(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  /** Drops what waits: the connection closed. */
  stop(): void {
    this.#stopped = true;
    this.#waiting = [];
    this.#waitingBytes = 0;
    this.#cancelPause?.();
  }

  #pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#cancelPause = undefined;
        resolve();
      }, this.#pauseMs);
      this.#cancelPause = () => {
        clearTimeout(timer);
        this.#cancelPause = undefined;
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    for (let message = this.#waiting.shift(); message; message = this.#waiting.shift()) {
      for (let offset = 0; offset < message.length && !this.#stopped; offset += this.#bytes) {
        const piece = message.subarray(offset, offset + this.#bytes);
        const last = offset + this.#bytes >= message.length;
        this.#waitingBytes -= piece.length;
        this.#connection.write(piece);
        this.#onPiece(piece, last);
        await this.#connection.flushed();
        const more = !last || this.#waiting.length > 0;
        if (more && this.#pauseMs > 0 && !this.#stopped) await this.#pause();
      }
    }
  }
}
