import { describeError } from "../errors/mod.ts";
import { FramingError } from "../framing/mod.ts";
import type { SocketAddress } from "../net/mod.ts";
import type { Connection } from "../tcp/mod.ts";
import { type IntervalClock, yieldToEventLoop } from "./clock.ts";
import { EchoPattern } from "./pattern.ts";
import { EndDeadline, stoppedReading } from "./tcp_grace.ts";
import type { BenchStream, SideTotals } from "./tcp_streams.ts";

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
  readonly #graceMs: number;
  /** Wire bytes handed to `send`, framing included. */
  #queuedBytes = 0;
  /** What the system had taken when this side gave up, before closing cleared the queue. */
  #sentWhenGivenUp: number | undefined;
  sentMessages = 0;
  receivedBytes = 0;
  receivedMessages = 0;
  /** Seconds since the start when the last echo arrived: the receiver's figure. */
  lastEchoAt = 0;
  confirmed: SideTotals | undefined;
  /** Every message sent, and when the last went to the operating system. */
  sentTotals: SideTotals | undefined;

  /** @param graceMs How long after the run the server has to take the rest and echo it. */
  constructor(id: number, connection: Connection, size: number, graceMs: number) {
    this.id = id;
    this.#connection = connection;
    this.#pattern = new EchoPattern(size);
    this.#overhead = connection.framing.overheadBytes;
    this.#graceMs = graceMs;
  }

  get localAddress(): SocketAddress {
    return this.#connection.localAddress;
  }

  get remoteAddress(): SocketAddress {
    return this.#connection.remoteAddress;
  }

  get sentBytes(): number {
    return this.#sentWhenGivenUp ?? this.#queuedBytes - this.#connection.bufferedBytes;
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
        // A server that stopped reading never lets the queue drain: the run ends on time anyway.
        await Promise.race([connection.flushed(), clock.finished]);
      } else if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
    const runEnded = { bytes: this.sentBytes, seconds: clock.elapsed() };
    const deadline = new EndDeadline(this.#graceMs);
    if (!(await deadline.within(connection.flushed())) && !closed) {
      // Messages all have one size, so what the system took is a count of whole messages.
      this.#sentWhenGivenUp = this.sentBytes;
      this.sentMessages = Math.floor(this.#sentWhenGivenUp / size);
      // The last byte left within the run unless the grace let more go.
      this.sentTotals = this.#sentWhenGivenUp === runEnded.bytes
        ? runEnded
        : { bytes: this.#sentWhenGivenUp, seconds: clock.elapsed() };
      failure ??= `${
        stoppedReading(this.id, connection.bufferedBytes, this.#sentWhenGivenUp, deadline)
      }; ${this.receivedMessages} of ${this.sentMessages} messages came back`;
      connection.close("the server stopped reading");
    } else {
      this.sentTotals = { bytes: this.#queuedBytes, seconds: clock.elapsed() };
      if (!closed) await deadline.within(connection.end());
      const waited = await this.#waitForEchoes(receiving, deadline);
      failure ??= waited;
    }
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

  // After the half-close: every echo back, the server closed, or the grace ran out.
  async #waitForEchoes(
    receiving: Promise<string | undefined>,
    deadline: EndDeadline,
  ): Promise<string | undefined> {
    let outcome: string | undefined;
    const finished = await deadline.within(receiving.then((value) => (outcome = value)));
    if (finished) return outcome ?? this.#missing("the server closed");
    return this.#missing(`gave up ${deadline.words} after the run`);
  }

  #missing(why: string): string | undefined {
    const owed = this.sentMessages - this.receivedMessages;
    if (owed <= 0) return undefined;
    return `stream ${this.id}: ${owed} of ${this.sentMessages} messages were not echoed (${why})`;
  }
}
