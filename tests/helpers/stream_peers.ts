// Peers of the down stream's protocol (src/measure/udp_stream_*.ts), for
// tests/unit/udp_stream_test.ts: a chargen server wired to a StreamSender as
// `udp.ts server --mode chargen` wires it, raw clients that speak the
// protocol by hand (as a hostile classmate would), and a socket that only
// counts, so a StreamSender can be driven from made-up hosts without a network.
import { delay } from "../../src/async/delay.ts";
import {
  buildStreamGo,
  buildStreamOpen,
  readStreamReply,
  type StreamAsk,
  type StreamCookie,
  type StreamEvent,
  type StreamReply,
  StreamSender,
  type StreamSenderOptions,
  type StreamSocket,
  type StreamStatus,
} from "../../src/measure/mod.ts";
import { readBenchHeader } from "../../src/measure/udp_header.ts";
import type { PeerHandler } from "../../src/message/mod.ts";
import { createDatagramMode } from "../../src/modes/mod.ts";
import type { SocketAddress } from "../../src/net/mod.ts";
import { bindUdp, serveUdp, type UdpEndpoint } from "../../src/udp/mod.ts";

export const LOCAL = "127.0.0.1";

/** Polls `done` every 10 ms for at most `ms`; true when it came true. */
export async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() >= deadline) return false;
    await delay(10);
  }
  return true;
}

/** A small, slow ask: 100 datagrams a second of 200 bytes, for `durationMs` (10 s). */
export function askFor(overrides: Partial<StreamAsk> = {}): StreamAsk {
  return {
    runId: crypto.getRandomValues(new Uint32Array(1))[0]!,
    bitsPerSecond: 160_000,
    datagramBytes: 200,
    durationMs: 10_000,
    datagrams: 0,
    ...overrides,
  };
}

/** A UDP chargen server with a StreamSender, as src/cli/udp/server.ts runs it. */
export interface StreamingChargen {
  readonly endpoint: UdpEndpoint;
  readonly sender: StreamSender;
  /** Every stream event the sender reported, in order. */
  readonly events: StreamEvent[];
  readonly address: SocketAddress;
  close(): Promise<void>;
}

/**
 * Starts the server on `host` (127.0.0.1) with the amplification limit on (as
 * `udp.ts server` does), its StreamSender made with `streams`; `fallback`
 * answers what the stream protocol does not take, chargen unless given.
 */
export async function startStreamingChargen(
  options: { streams?: StreamSenderOptions; fallback?: PeerHandler; host?: string } = {},
): Promise<StreamingChargen> {
  const mode = createDatagramMode("chargen", { maxFrameBytes: 1472, show: () => {} });
  const fallback = options.fallback ?? mode.handler;
  const events: StreamEvent[] = [];
  // Made once the endpoint exists; nothing arrives for it before.
  const made: { sender?: StreamSender } = {};
  const endpoint = await serveUdp(
    { host: options.host ?? LOCAL, port: 0, limitAmplification: true },
    (message, peer) =>
      made.sender?.take(message.bytes, peer.remoteAddress) ?? fallback(message, peer),
  );
  const streams = new StreamSender(endpoint, {
    ...options.streams,
    onEvent: (event) => events.push(event),
  });
  made.sender = streams;
  return {
    endpoint,
    sender: streams,
    events,
    address: endpoint.localAddress,
    async close() {
      streams.close();
      // Each stream's timers are cleared once its run has ended; Deno's sanitizer checks.
      await waitFor(() => streams.streaming === 0, 2_000);
      await endpoint.close();
    },
  };
}

/** A client socket that keeps what arrives, to speak the protocol by hand. */
export class RawPeer {
  readonly arrivals: Uint8Array[];
  readonly endpoint: UdpEndpoint;
  #replyCursor = 0;

  private constructor(endpoint: UdpEndpoint, arrivals: Uint8Array[]) {
    this.endpoint = endpoint;
    this.arrivals = arrivals;
  }

  static async bind(): Promise<RawPeer> {
    const arrivals: Uint8Array[] = [];
    const endpoint = await bindUdp({
      host: LOCAL,
      port: 0,
      // A copy: what is kept must not change if the runtime reuses its buffer.
      onDatagram: ({ message }) => arrivals.push(message.bytes.slice()),
    });
    return new RawPeer(endpoint, arrivals);
  }

  get address(): SocketAddress {
    return this.endpoint.localAddress;
  }

  send(bytes: Uint8Array, to: SocketAddress): void {
    this.endpoint.send(bytes, to);
  }

  /** Bench datagrams that arrived here, of run `runId` or of any run. */
  benchDatagrams(runId?: number): number {
    let count = 0;
    for (const bytes of this.arrivals) {
      const header = readBenchHeader(bytes);
      if (header && (runId === undefined || header.runId === runId)) count++;
    }
    return count;
  }

  /** The next COOKIE or STATUS for `runId` not yet returned, and its size; undefined after `ms`. */
  async nextReply(
    runId: number,
    ms = 2_000,
  ): Promise<{ reply: StreamReply; bytes: number } | undefined> {
    let found: { reply: StreamReply; bytes: number } | undefined;
    await waitFor(() => {
      for (; this.#replyCursor < this.arrivals.length && !found; this.#replyCursor++) {
        const bytes = this.arrivals[this.#replyCursor]!;
        const reply = readStreamReply(bytes, runId);
        if (reply) found = { reply, bytes: bytes.length };
      }
      return found !== undefined;
    }, ms);
    return found;
  }

  /** Sends `bytes` and returns the STATUS that answers it. */
  async status(bytes: Uint8Array, to: SocketAddress, runId: number): Promise<StreamStatus> {
    this.send(bytes, to);
    const answer = await this.nextReply(runId);
    if (answer?.reply.kind !== "status") {
      throw new Error(`expected a STATUS for run ${runId}, got ${answer?.reply.kind ?? "nothing"}`);
    }
    return answer.reply.status;
  }

  /** OPEN for `ask`: the cookie the server sent back. */
  async cookie(ask: StreamAsk, to: SocketAddress): Promise<StreamCookie> {
    this.send(buildStreamOpen(ask), to);
    const answer = await this.nextReply(ask.runId);
    if (answer?.reply.kind !== "cookie") {
      const said = answer?.reply.kind === "status" ? answer.reply.status.state : "nothing";
      throw new Error(`expected a COOKIE for run ${ask.runId}, got ${said}`);
    }
    return answer.reply.cookie;
  }

  /** OPEN, then the first GO: the server's STATUS, and the cookie for later GOs. */
  async start(
    ask: StreamAsk,
    to: SocketAddress,
  ): Promise<{ status: StreamStatus; cookie: StreamCookie }> {
    const cookie = await this.cookie(ask, to);
    return { status: await this.status(buildStreamGo(ask, cookie), to, ask.runId), cookie };
  }

  close(): Promise<void> {
    return this.endpoint.close();
  }
}

/**
 * A StreamSocket that sends nothing: it counts each datagram by destination,
 * and counts those sent to an address the sender had not validated then.
 */
export class CountingSocket implements StreamSocket {
  readonly sentTo = new Map<string, number>();
  unvalidatedSends = 0;
  readonly queuedDatagrams = 0;
  readonly #validated = new Map<string, number>();
  readonly #limit: number;

  constructor(limit = 1472) {
    this.#limit = limit;
  }

  send(_bytes: Uint8Array, to: SocketAddress): void {
    const key = `${to.hostname} ${to.port}`;
    this.sentTo.set(key, (this.sentTo.get(key) ?? 0) + 1);
    if (!this.#validated.get(key)) this.unvalidatedSends++;
  }

  validated(to: SocketAddress): () => void {
    const key = `${to.hostname} ${to.port}`;
    this.#validated.set(key, (this.#validated.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#validated.set(key, this.#validated.get(key)! - 1);
    };
  }

  /** Addresses validated now. */
  get validatedNow(): number {
    let count = 0;
    for (const held of this.#validated.values()) if (held > 0) count++;
    return count;
  }

  limitFor(_to: SocketAddress): number {
    return this.#limit;
  }
}

/** The answer `sender` gives `bytes` from `from`, read as a COOKIE or STATUS of `runId`. */
export async function answerOf(
  sender: StreamSender,
  bytes: Uint8Array,
  from: SocketAddress,
  runId: number,
): Promise<StreamReply> {
  const answer = await sender.take(bytes, from);
  const reply = answer && readStreamReply(answer, runId);
  if (!reply) throw new Error("the sender did not answer with this protocol");
  return reply;
}

/** OPEN then GO from `from`, straight into `sender`: the STATUS (or the OPEN's refusal), and the cookie. */
export async function streamFrom(
  sender: StreamSender,
  from: SocketAddress,
  ask: StreamAsk,
): Promise<{ status: StreamStatus; cookie?: StreamCookie }> {
  const opened = await answerOf(sender, buildStreamOpen(ask), from, ask.runId);
  if (opened.kind === "status") return { status: opened.status };
  const went = await answerOf(sender, buildStreamGo(ask, opened.cookie), from, ask.runId);
  if (went.kind !== "status") throw new Error("a GO was answered with a COOKIE");
  return { status: went.status, cookie: opened.cookie };
}
