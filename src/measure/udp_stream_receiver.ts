import { settlesWithin, Waiters } from "../async/mod.ts";
import { readBenchHeader } from "./udp_header.ts";
import { ReceiverTally } from "./udp_receiver_tally.ts";
import {
  buildStreamGo,
  buildStreamOpen,
  isStreamOpen,
  readStreamReply,
  type StreamAsk,
  type StreamCookie,
  type StreamStatus,
} from "./udp_stream_protocol.ts";

// An OPEN or GO unanswered this long is sent again, this many times in all.
const ASK_WAIT_MS = 300;
const ASK_TRIES = 4;
// How often a running stream is asked for again: 30 of these lost in a row lapse it (3 s).
const KEEPALIVE_MS = 100;
// After the server says it is done, what it sent last gets this long to arrive.
const LAST_ARRIVALS_MS = 300;

/**
 * How a down run is served: `stream`, socklab's chargen streams at the rate
 * after a cookie round trip; `requests`, any other chargen, one answer per
 * request; or why socklab's chargen turned the stream down.
 */
export type StreamOutcome =
  | { kind: "stream" }
  | { kind: "requests"; echoed: boolean }
  | { kind: "refused"; state: "busy" | "refused" | "expired"; maxBitsPerSecond: number };

/** What a down stream's receiver counted, and what the server said it sent. */
export interface StreamCounts {
  /** Distinct datagrams that arrived, and their bytes. */
  received: { datagrams: number; bytes: number; lastAtMs: number };
  /** Datagrams numbered up to the highest that arrived: what the server had sent, as far as seen. */
  covered: number;
  /** Copies of datagrams already counted. */
  duplicates: number;
  /** Datagrams that arrived after a later one. */
  reordered: number;
  /** RFC 3550 jitter, ms. */
  jitterMs: number;
}

/**
 * The client's side of the down stream (see `udp_stream_protocol.ts`): asks
 * the server, keeps the stream wanted while the run lasts, counts the
 * datagrams, and gets the server's final count of what it sent.
 */
export class StreamReceiver {
  readonly #ask: StreamAsk;
  readonly #send: (bytes: Uint8Array) => void;
  readonly #tally = new ReceiverTally();
  readonly #replies = new Waiters();
  #cookie: StreamCookie | undefined;
  #status: StreamStatus | undefined;
  #other = false;
  #echoed = false;
  #highestSeq = -1;
  #lastAtMs = 0;

  /**
   * @param ask What to ask the server for.
   * @param send Sends one datagram to the server.
   */
  constructor(ask: StreamAsk, send: (bytes: Uint8Array) => void) {
    this.#ask = ask;
    this.#send = send;
  }

  /** The latest STATUS the server sent; undefined before the first. */
  get status(): StreamStatus | undefined {
    return this.#status;
  }

  /**
   * Takes a datagram from the server: this protocol's answers and the
   * stream's datagrams are counted here; false for anything else.
   */
  take(bytes: Uint8Array, nowMs: number): boolean {
    const header = readBenchHeader(bytes);
    if (header?.runId === this.#ask.runId) {
      this.#tally.record(header.seq, header.sentAtMs, nowMs, bytes.length);
      if (header.seq > this.#highestSeq) this.#highestSeq = header.seq;
      this.#lastAtMs = nowMs;
      return true;
    }
    const reply = readStreamReply(bytes, this.#ask.runId);
    if (reply?.kind === "cookie") this.#cookie ??= reply.cookie;
    else if (reply?.kind === "status") this.#status = reply.status;
    else if (isStreamOpen(bytes)) this.#echoed = this.#other = true;
    else this.#other = true;
    this.#replies.release();
    return reply !== undefined || this.#echoed;
  }

  /** Asks for the stream: a cookie, then the first GO; says how the run will be served. */
  async open(): Promise<StreamOutcome> {
    const open = buildStreamOpen(this.#ask);
    await this.#askUntil(
      () => open,
      () => this.#cookie !== undefined || this.#refused() || this.#other,
    );
    if (this.#refused()) return this.#refusal();
    if (!this.#cookie) return { kind: "requests", echoed: this.#echoed };
    await this.#askUntil(() => this.#go(false), () => this.#status !== undefined);
    if (this.#refused()) return this.#refusal();
    // A cookie but no status: the GOs were lost; the stream may still come, and the run counts it.
    return { kind: "stream" };
  }

  /** Keeps the stream wanted until `finished` settles or the server says it is done. */
  async keepAlive(finished: Promise<void>, onDone: () => void): Promise<void> {
    let over = false;
    void finished.then(() => (over = true));
    while (!over) {
      this.#send(this.#go(false));
      await settlesWithin(finished, KEEPALIVE_MS);
      if (this.#status?.state === "done" && !over) {
        onDone();
        return;
      }
    }
  }

  /**
   * Ends the run: a STOP when it was cut short, else GOs until the server is
   * done; then waits for the last datagrams. The server's final STATUS, if it came.
   */
  async finish(stopped: boolean): Promise<StreamStatus | undefined> {
    if (this.#cookie) {
      await this.#askUntil(() => this.#go(stopped), () => this.#status?.state === "done");
    }
    const total = this.#status?.state === "done" ? this.#status.sentDatagrams : Infinity;
    const deadline = performance.now() + LAST_ARRIVALS_MS;
    while (this.#tally.counts().packets < total && performance.now() < deadline) {
      await settlesWithin(this.#replies.wait(), deadline - performance.now());
    }
    return this.#status?.state === "done" ? this.#status : undefined;
  }

  /** What arrived so far. */
  counts(): StreamCounts {
    const counts = this.#tally.counts();
    return {
      received: { datagrams: counts.packets, bytes: counts.bytes, lastAtMs: this.#lastAtMs },
      covered: this.#highestSeq + 1,
      duplicates: counts.duplicates,
      reordered: counts.outOfOrder,
      jitterMs: counts.jitterMs,
    };
  }

  #go(stop: boolean): Uint8Array {
    return buildStreamGo(this.#ask, this.#cookie!, stop);
  }

  #refused(): boolean {
    const state = this.#status?.state;
    return state === "busy" || state === "refused" || state === "expired";
  }

  #refusal(): StreamOutcome {
    const status = this.#status!;
    return {
      kind: "refused",
      state: status.state as "busy" | "refused" | "expired",
      maxBitsPerSecond: status.detail,
    };
  }

  // Sends what `message()` builds until `answered()`, a few times at most.
  async #askUntil(message: () => Uint8Array, answered: () => boolean): Promise<void> {
    for (let i = 0; i < ASK_TRIES && !answered(); i++) {
      this.#send(message());
      const deadline = performance.now() + ASK_WAIT_MS;
      while (!answered() && performance.now() < deadline) {
        await settlesWithin(this.#replies.wait(), deadline - performance.now());
      }
    }
  }
}
