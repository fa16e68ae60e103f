import { settlesWithin } from "../../async/deadline.ts";
import { FramingError } from "../../framing/mod.ts";
import type { SocketAddress } from "../../net/types.ts";
import type { Connection } from "../../tcp_client.ts";
import { EchoPattern, type IntervalClock, yieldToEventLoop } from "../bench/mod.ts";
import { describeError } from "../describe_error.ts";
import type { BenchStream, SideTotals } from "./bench_streams.ts";

// Unsent bytes allowed to pile up before the sender waits: enough to keep the
// socket busy between wake-ups, small enough that memory stays flat.
const HIGH_WATER_BYTES = 512 * 1024;
// Bytes sent between yields when the socket takes everything at once, so
// echoes are read and intervals reported on time.
const YIELD_EVERY_BYTES = 256 * 1024;

/**
 * Both directions over one connection: numbered messages to an echo server,
 * every echo checked byte for byte against what was sent. Each byte crosses
 * the link twice and the server handles every message, so the figure is
 * about half what a one-way run shows.
 */
export class EchoStream implements BenchStream {
  readonly id: number;
  readonly #connection: Connection;
  readonly #pattern: EchoPattern;
  readonly #overhead: number;
  readonly #drainTimeoutMs: number;
  /** Wire bytes handed to `send`, framing included. */
  #queuedBytes = 0;
  sentMessages = 0;
  receivedBytes = 0;
  receivedMessages = 0;
  /** Seconds since the start when the last echo arrived: the receiver's figure. */
  lastEchoAt = 0;
  confirmed: SideTotals | undefined;
  /** Every message sent, and when the last went to the operating system. */
  sentTotals: SideTotals | undefined;

  constructor(id: number, connection: Connection, size: number, drainTimeoutMs: number) {
    this.id = id;
    this.#connection = connection;
    this.#pattern = new EchoPattern(size);
    this.#overhead = connection.framing.name === "line" ? 1 : 4;
    this.#drainTimeoutMs = drainTimeoutMs;
  }

  get localAddress(): SocketAddress {
    return this.#connection.localAddress;
  }

  get remoteAddress(): SocketAddress {
    return this.#connection.remoteAddress;
  }

  get sentBytes(): number {
    return this.#queuedBytes - this.#connection.bufferedBytes;
  }

  async run(clock: IntervalClock): Promise<string | undefined> {
    const connection = this.#connection;
    let failure: string | undefined;
    const receiving = this.#receiveEchoes(clock);
    // A bad echo or a dead connection ends the run at once; the summary still prints.
    void receiving.then((why) => {
      if (!why) return;
      failure ??= why;
      clock.stop();
    });
    const size = this.#pattern.size + this.#overhead;
    let seq = 0;
    let sinceYield = 0;
    let closed = false;
    void connection.closed.then(() => (closed = true));
    while (!clock.isFinished && !closed) {
      connection.send(this.#pattern.message(seq++));
      this.sentMessages++;
      this.#queuedBytes += size;
      sinceYield += size;
      if (connection.bufferedBytes > HIGH_WATER_BYTES) {
        sinceYield = 0;
        await connection.flushed();
      } else if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
    await connection.flushed();
    this.sentTotals = { bytes: this.#queuedBytes, seconds: clock.elapsed() };
    if (!closed) await connection.end();
    const waited = await this.#waitForEchoes(receiving);
    failure ??= waited;
    if (this.receivedMessages === 0 && !failure) {
      failure = `stream ${this.id}: no echoes (is it an echo server, server.ts --mode echo, `
        + `with the same --framing?)`;
    }
    this.confirmed = { bytes: this.receivedBytes, seconds: this.lastEchoAt };
    return failure;
  }

  // Reads echoes until the server closes; returns why it stopped early, if it did.
  async #receiveEchoes(clock: IntervalClock): Promise<string | undefined> {
    const connection = this.#connection;
    let seq = 0;
    try {
      for (;;) {
        const echo = await connection.receive();
        if (echo === null) return undefined;
        const offset = this.#pattern.mismatch(seq, echo.bytes);
        if (offset !== -1) {
          connection.close();
          return `echo of message ${seq + 1} differs from what was sent at byte ${offset} `
            + `(${echo.size} bytes came back for ${this.#pattern.size} sent; is the server in echo mode?)`;
        }
        seq++;
        this.receivedMessages++;
        this.receivedBytes += echo.size + this.#overhead;
        this.lastEchoAt = clock.elapsed();
      }
    } catch (error) {
      const hint = error instanceof FramingError ? " (does --framing match the server's?)" : "";
      return `${describeError(error)}${hint}`;
    }
  }

  // After the half-close: every echo back, the server closed, or the wait ran out.
  async #waitForEchoes(receiving: Promise<string | undefined>): Promise<string | undefined> {
    let outcome: string | undefined;
    const finished = await settlesWithin(
      receiving.then((value) => (outcome = value)),
      this.#drainTimeoutMs,
    );
    if (finished) return outcome ?? this.#missing("the server closed");
    return this.#missing(`gave up after ${this.#drainTimeoutMs / 1000} s`);
  }

  #missing(why: string): string | undefined {
    const owed = this.sentMessages - this.receivedMessages;
    if (owed <= 0) return undefined;
    return `${owed} of ${this.sentMessages} messages were not echoed (${why})`;
  }
}
