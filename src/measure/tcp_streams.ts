import { settlesWithin } from "../async/mod.ts";
import { describeError } from "../errors/mod.ts";
import type { SocketAddress, TcpConnection } from "../net/mod.ts";
import type { IntervalClock } from "./clock.ts";
import { EndDeadline, stoppedReading } from "./tcp_grace.ts";

// Unsent bytes allowed to wait in the process before the writer waits for
// them to go: two blocks, so the socket always has the next one ready.
const QUEUE_BLOCKS = 2;
// After a download, how long to read what the server had already sent once our FIN is out.
const DOWNLOAD_DRAIN_MS = 1000;

/** Bytes and the seconds they took, for one side of a run's summary. */
export interface SideTotals {
  /** Bytes moved. */
  bytes: number;
  /** Seconds they took, from the start of the run. */
  seconds: number;
}

/** One connection of a throughput run, whatever its direction. */
export interface BenchStream {
  /** 1 for the first connection, as iperf3 numbers its streams. */
  readonly id: number;
  readonly localAddress: SocketAddress;
  readonly remoteAddress: SocketAddress;
  /** Bytes the operating system has taken from this side so far. */
  readonly sentBytes: number;
  /** Bytes read from the server so far. */
  readonly receivedBytes: number;
  /**
   * Sends or reads until `clock` finishes, then ends the stream as its
   * direction needs. Resolves with why it failed, if it did.
   */
  run(clock: IntervalClock): Promise<string | undefined>;
  /** Set once `run` is over, when the stream could tell: what the far end read, and when. */
  readonly confirmed: SideTotals | undefined;
}

/** Shared by both raw directions: the connection, its events, what has been read. */
abstract class RawStream implements BenchStream {
  readonly id: number;
  confirmed: SideTotals | undefined = undefined;
  protected readonly connection: TcpConnection;
  receivedBytes = 0;
  protected ended = false;
  protected closed = false;
  protected closeError: Error | undefined;
  #markEnded!: () => void;
  /** Resolves at the server's FIN, or when the connection closed. */
  protected readonly peerEnded: Promise<void> = new Promise((
    resolve,
  ) => (this.#markEnded = resolve));

  constructor(id: number, connection: TcpConnection) {
    this.id = id;
    this.connection = connection;
    connection.start({
      // Counted and dropped: the memory goes straight back to the adapter for the next read.
      data: (chunk) => {
        this.receivedBytes += chunk.length;
        connection.releaseChunk();
      },
      end: () => {
        this.ended = true;
        this.#markEnded();
      },
      close: (error) => {
        this.closed = true;
        this.closeError = error;
        this.#markEnded();
      },
    });
  }

  get localAddress(): SocketAddress {
    return this.connection.localAddress;
  }

  get remoteAddress(): SocketAddress {
    return this.connection.remoteAddress;
  }

  get sentBytes(): number {
    return this.connection.writtenBytes;
  }

  abstract run(clock: IntervalClock): Promise<string | undefined>;

  protected failure(what: string): string {
    return this.closeError
      ? `stream ${this.id}: ${describeError(this.closeError)}`
      : `stream ${this.id}: ${what}`;
  }
}

/**
 * Upload: writes one block again and again while the socket takes it. At the
 * end it half-closes and waits for the server's FIN, which a discard server
 * sends only after reading everything: so the receiver's figure counts bytes
 * the server read, not bytes parked in socket buffers. A server that stopped
 * reading leaves the last blocks unsent: the wait for them, like the wait for
 * the FIN, ends with the grace.
 */
export class UploadStream extends RawStream {
  readonly #block: Uint8Array;
  readonly #graceMs: number;

  /** @param graceMs How long after the run the server has to take the rest and send its FIN. */
  constructor(id: number, connection: TcpConnection, blockBytes: number, graceMs: number) {
    super(id, connection);
    // Printable filler, so a capture or an nc on the far end shows something readable.
    this.#block = new Uint8Array(blockBytes);
    for (let i = 0; i < blockBytes; i++) this.#block[i] = 0x21 + (i % 94);
    this.#graceMs = graceMs;
  }

  /**
   * Bytes handed to the connection: taken by the system, or queued here to
   * follow. Writing stops at the deadline, so the blocks still queued then
   * belong to the run; counted only once taken, they went uncounted by the
   * sender line yet reached the server, and the receiver line came out larger.
   */
  override get sentBytes(): number {
    return this.connection.writtenBytes + this.connection.bufferedBytes;
  }

  async run(clock: IntervalClock): Promise<string | undefined> {
    const connection = this.connection;
    const block = this.#block;
    const highWater = block.length * QUEUE_BLOCKS;
    while (!clock.isFinished && !this.closed && !this.ended) {
      while (connection.bufferedBytes < highWater && !this.closed) connection.write(block);
      // A server that stopped reading never lets the queue drain: the run ends on time anyway.
      await Promise.race([connection.flushed(), clock.finished]);
    }
    if (this.closed) return this.failure("the server closed the connection during the upload");
    const deadline = new EndDeadline(this.#graceMs);
    if (!(await deadline.within(connection.flushed())) && !this.closed) {
      const stuck = stoppedReading(
        this.id,
        connection.bufferedBytes,
        connection.writtenBytes,
        deadline,
      );
      connection.close();
      return stuck;
    }
    const finished = await deadline.within(connection.closeWrite().then(() => this.peerEnded));
    if (this.closeError) return this.failure("");
    if (!finished) {
      return `stream ${this.id}: no FIN from the server within ${deadline.words} of the run's end, so `
        + `what it read is unknown (is it a discard server, server.ts --mode discard?)`;
    }
    this.confirmed = { bytes: connection.writtenBytes, seconds: clock.elapsed() };
    connection.close();
    return undefined;
  }
}

/**
 * Download: reads whatever the server sends (chargen, or any byte source; the
 * content is not checked, since this side did not choose it) until the run's
 * end, then half-closes, reads on for a moment, and closes.
 */
export class DownloadStream extends RawStream {
  async run(clock: IntervalClock): Promise<string | undefined> {
    await Promise.race([clock.finished, this.peerEnded]);
    const connection = this.connection;
    let failure: string | undefined;
    if (this.closeError) failure = this.failure("");
    else if (this.receivedBytes === 0) {
      failure = `stream ${this.id}: nothing came from the server (is it a byte source such as `
        + `server.ts --mode chargen?)`;
    }
    if (!this.closed) {
      // A FIN that cannot go (a source that stopped reading too) must not hold the run either.
      await settlesWithin(connection.closeWrite().then(() => this.peerEnded), DOWNLOAD_DRAIN_MS);
      connection.close();
    }
    return failure;
  }
}
