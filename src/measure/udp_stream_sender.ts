import type { SocketAddress } from "../net/mod.ts";
import { IntervalClock } from "./clock.ts";
import { BenchDatagrams, UDP_BENCH_HEADER_BYTES } from "./udp_header.ts";
import { paceSends } from "./udp_pace.ts";
import {
  buildStreamCookie,
  buildStreamStatus,
  cookieInput,
  readStreamRequest,
  STREAM_MAC_BYTES,
  type StreamAsk,
  type StreamCookie,
  type StreamState,
} from "./udp_stream_protocol.ts";

// A stream stops this long after the last GO its client sent (it sends one
// every 100 ms): a client gone (killed, a cable out) is not flooded for the
// rest of its time, and one behind a lossy link (--drop 80) still keeps its
// stream, as 30 GOs in a row are rarely all lost.
const DEFAULT_CONSENT_MS = 3000;
// A cookie starts a stream only this soon after it was made, so one captured
// cannot start one long after.
const COOKIE_LIFE_S = 30;
// Streams at once: each paces on this one thread. Past it, asks are told the server is busy.
const MAX_STREAMS = 4;
// A finished stream is kept this long for the client's last GO, and so that
// a GO whose cookie is still fresh is answered "done" rather than starting
// the stream again: longer than a cookie lives.
const FINISHED_KEEP_MS = 60_000;
// Per host, so that churning streams from one PC forgets only its own; all
// hosts together, a class many times over, about 1 MiB.
const MAX_FINISHED_PER_HOST = 8;
const MAX_FINISHED = 4096;
// Each cookie made or checked costs an HMAC: 20-40 µs on Deno (WebCrypto),
// several times what a chargen answer costs. A flood of OPENs or forged GOs
// gets this many a second, from one host and from all together; past them
// it is dropped unanswered, and a running stream's GOs need none (they are
// compared with the GO that started it).
const MACS_PER_HOST_PER_SECOND = 20;
const MACS_PER_SECOND = 1000;
// As long as iperf3 lets a test run, and no longer.
const MAX_DURATION_MS = 86_400_000;

/** What a {@linkcode StreamSender} needs from the socket it streams on. */
export interface StreamSocket {
  /** Sends one datagram; may throw (too large for the destination, say). */
  send(bytes: Uint8Array, to: SocketAddress): void;
  /** Datagrams sent that the system has not taken yet. */
  readonly queuedDatagrams: number;
  /**
   * Exempts `to` from the socket's amplification limit until the returned
   * function is called: the cookie round trip proved `to` receives there.
   */
  validated(to: SocketAddress): () => void;
  /** The largest datagram the socket may send to `to`. */
  limitFor(to: SocketAddress): number;
}

/** {@linkcode StreamSender}'s limits. */
export interface StreamSenderOptions {
  /** The fastest stream served, in payload bits per second. @default {10 Gbit/s} */
  maxBitsPerSecond?: number;
  /**
   * How long a stream goes on without a GO from its client (RFC 7675's consent).
   * @default {3000}
   */
  consentMs?: number;
  /** A stream started, ended or was turned away; for the server's log. */
  onEvent?(event: StreamEvent): void;
}

/** What happened to one stream, for a server's log. */
export interface StreamEvent {
  /** Where the stream goes. */
  to: SocketAddress;
  /** `started`; `done` (time or count reached); `stopped` (the client's STOP); `lapsed` (no GO for `consentMs`); turned away: `busy`, `refused`, `expired`. */
  kind: "started" | "done" | "stopped" | "lapsed" | "busy" | "refused" | "expired";
  /** The ask. */
  ask: StreamAsk;
  /** Datagrams sent, for the ends. */
  sentDatagrams: number;
  /** Their payload bytes. */
  sentBytes: number;
}

interface Stream {
  readonly to: SocketAddress;
  readonly ask: StreamAsk;
  // The GO that started it, past its magic: the same bytes later need no HMAC.
  readonly proof: Uint8Array;
  sentDatagrams: number;
  sentBytes: number;
  consentAtMs: number;
  finished: boolean;
  finishedAtMs: number;
  clock?: IntervalClock;
}

/**
 * The sending end of `udp.ts bench --direction down` in socklab's UDP
 * chargen server: takes the stream protocol's OPEN, GO and STOP (see
 * `udp_stream_protocol.ts`), and streams paced bench datagrams to a client
 * that has proven its address with a cookie, while it keeps asking. Answers
 * are never larger than what they answer, streams are bounded in number (one
 * per host, four in all), in rate, and in time without consent, so no peer can
 * turn the server on another or hold it for good.
 */
export class StreamSender {
  readonly #socket: StreamSocket;
  readonly #maxBitsPerSecond: number;
  readonly #consentMs: number;
  readonly #onEvent: ((event: StreamEvent) => void) | undefined;
  readonly #key: Promise<CryptoKey>;
  readonly #streams = new Map<string, Stream>();
  // Finished streams, oldest first; and those running, which a refusal checks per OPEN.
  readonly #finished: Stream[] = [];
  readonly #running = new Set<Stream>();
  readonly #macs = new MacBudget();
  #closed = false;

  /**
   * Streams on `socket`, within `options`' limits.
   * @param socket Where to stream: the chargen server's endpoint.
   * @param options The fastest stream, and a hook for the server's log.
   */
  constructor(socket: StreamSocket, options: StreamSenderOptions = {}) {
    this.#socket = socket;
    this.#maxBitsPerSecond = options.maxBitsPerSecond ?? 10e9;
    this.#consentMs = options.consentMs ?? DEFAULT_CONSENT_MS;
    this.#onEvent = options.onEvent;
    // A key per server run: its cookies mean nothing to any other.
    this.#key = crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  }

  /** Streams running now. */
  get streaming(): number {
    return this.#running.size;
  }

  /**
   * Takes `bytes` from `from` if it is an OPEN, GO or STOP.
   * @returns The answer to send back, once it is ready, or null for none (a
   *   flood past what the server checks a second); undefined when `bytes` is
   *   not for this protocol.
   */
  take(bytes: Uint8Array, from: SocketAddress): Promise<Uint8Array | null> | undefined {
    const request = readStreamRequest(bytes);
    if (!request) return undefined;
    const stop = request.kind === "stop";
    if (request.kind !== "open") {
      const known = this.#streams.get(keyOf(from, request.ask.runId));
      if (known && sameBytes(known.proof, bytes.subarray(4))) {
        return Promise.resolve(this.#keep(known, stop));
      }
    } else {
      const refusal = this.#refusal(request.ask, from);
      if (refusal) return Promise.resolve(this.#status(request.ask, refusal, undefined, from));
    }
    if (!this.#macs.take(from.hostname)) return Promise.resolve(null);
    if (request.kind === "open") return this.#open(request.ask, from);
    return this.#go(request.ask, request.cookie, from, stop, bytes);
  }

  /** Stops every stream. */
  close(): void {
    this.#closed = true;
    for (const stream of this.#running) stream.clock?.stop();
  }

  async #open(ask: StreamAsk, from: SocketAddress): Promise<Uint8Array> {
    const issuedAtS = nowSeconds();
    return buildStreamCookie(ask.runId, { issuedAtS, mac: await this.#mac(ask, from, issuedAtS) });
  }

  async #go(
    ask: StreamAsk,
    cookie: StreamCookie,
    from: SocketAddress,
    stop: boolean,
    go: Uint8Array,
  ): Promise<Uint8Array> {
    const expected = await this.#mac(ask, from, cookie.issuedAtS);
    if (!sameBytes(expected, cookie.mac)) return this.#status(ask, "expired", undefined, from);
    const key = keyOf(from, ask.runId);
    let stream = this.#streams.get(key);
    if (!stream) {
      const age = nowSeconds() - cookie.issuedAtS;
      if (stop || age < 0 || age > COOKIE_LIFE_S) {
        return this.#status(ask, stop ? "done" : "expired", undefined, from);
      }
      const refusal = this.#refusal(ask, from);
      if (refusal) return this.#status(ask, refusal, undefined, from);
      stream = this.#start(key, ask, from, go.slice(4));
    }
    return this.#keep(stream, stop);
  }

  // A GO (or STOP) for `stream`, proven: its client still wants it (or no longer).
  #keep(stream: Stream, stop: boolean): Uint8Array {
    stream.consentAtMs = performance.now();
    if (stop && !stream.finished) this.#end(stream, "stopped");
    return this.#status(stream.ask, stream.finished ? "done" : "streaming", stream, stream.to);
  }

  // Why `ask` from `from` is not served now, if it is not.
  #refusal(ask: StreamAsk, from: SocketAddress): "busy" | "refused" | undefined {
    const fits = ask.bitsPerSecond > 0 && ask.bitsPerSecond <= this.#maxBitsPerSecond
      && ask.datagramBytes >= UDP_BENCH_HEADER_BYTES
      && ask.datagramBytes <= this.#socket.limitFor(from)
      && ask.durationMs > 0 && ask.durationMs <= MAX_DURATION_MS;
    if (!fits || this.#closed) return "refused";
    for (const stream of this.#running) if (stream.to.hostname === from.hostname) return "busy";
    return this.#running.size >= MAX_STREAMS ? "busy" : undefined;
  }

  #start(key: string, ask: StreamAsk, to: SocketAddress, proof: Uint8Array): Stream {
    // Here, not per OPEN: a flood of OPENs must not cost a walk of the table each.
    this.#forgetOldFinished();
    const stream: Stream = {
      to,
      ask,
      proof,
      sentDatagrams: 0,
      sentBytes: 0,
      consentAtMs: performance.now(),
      finished: false,
      finishedAtMs: 0,
    };
    this.#streams.set(key, stream);
    this.#running.add(stream);
    this.#event(stream, "started");
    void this.#run(stream);
    return stream;
  }

  async #run(stream: Stream): Promise<void> {
    const { ask, to } = stream;
    const release = this.#socket.validated(to);
    const datagrams = new BenchDatagrams(ask.datagramBytes);
    const clock = new IntervalClock(ask.durationMs / 1000, { interval() {} });
    stream.clock = clock;
    let ending: StreamEvent["kind"] = "done";
    const consent = setInterval(() => {
      if (performance.now() - stream.consentAtMs > this.#consentMs) {
        ending = "lapsed";
        clock.stop();
      }
    }, this.#consentMs / 4);
    try {
      await paceSends(
        ask.bitsPerSecond,
        ask.datagramBytes,
        clock,
        () => {
          const seq = stream.sentDatagrams;
          this.#socket.send(
            datagrams.build({ runId: ask.runId, seq, sentAtMs: performance.now() }),
            to,
          );
          stream.sentDatagrams++;
          stream.sentBytes += ask.datagramBytes;
        },
        () => this.#socket.queuedDatagrams,
        ask.datagrams > 0 ? ask.datagrams : Infinity,
      );
    } catch {
      // A send the socket refused ends this stream only; the client sees it end early.
      ending = "done";
    } finally {
      clearInterval(consent);
      clock.stop();
      release();
      if (!stream.finished) this.#end(stream, ending);
    }
  }

  #end(stream: Stream, kind: StreamEvent["kind"]): void {
    stream.finished = true;
    stream.finishedAtMs = performance.now();
    stream.clock?.stop();
    this.#running.delete(stream);
    this.#finished.push(stream);
    this.#event(stream, kind);
  }

  // Forgets finished streams past their time, past a host's share (its
  // oldest), or past the total (the oldest anywhere, only with hundreds of PCs).
  #forgetOldFinished(): void {
    const now = performance.now();
    const perHost = new Map<string, number>();
    for (let i = this.#finished.length - 1; i >= 0; i--) {
      const stream = this.#finished[i]!;
      const host = stream.to.hostname;
      const count = (perHost.get(host) ?? 0) + 1;
      perHost.set(host, count);
      const newer = this.#finished.length - 1 - i;
      if (
        now - stream.finishedAtMs > FINISHED_KEEP_MS || count > MAX_FINISHED_PER_HOST
        || newer >= MAX_FINISHED
      ) {
        this.#streams.delete(keyOf(stream.to, stream.ask.runId));
        this.#finished.splice(i, 1);
      }
    }
  }

  #status(
    ask: StreamAsk,
    state: StreamState,
    stream: Stream | undefined,
    from: SocketAddress,
  ): Uint8Array {
    if (state === "busy" || state === "refused" || state === "expired") {
      this.#onEvent?.({ to: from, kind: state, ask, sentDatagrams: 0, sentBytes: 0 });
    }
    return buildStreamStatus({
      runId: ask.runId,
      state,
      sentDatagrams: stream?.sentDatagrams ?? 0,
      sentBytes: stream?.sentBytes ?? 0,
      detail: state === "refused" ? this.#maxBitsPerSecond : 0,
    });
  }

  #event(stream: Stream, kind: StreamEvent["kind"]): void {
    this.#onEvent?.({
      to: stream.to,
      kind,
      ask: stream.ask,
      sentDatagrams: stream.sentDatagrams,
      sentBytes: stream.sentBytes,
    });
  }

  async #mac(ask: StreamAsk, from: SocketAddress, issuedAtS: number): Promise<Uint8Array> {
    const input = cookieInput(ask, from.hostname, from.port, issuedAtS);
    const signed = await crypto.subtle.sign("HMAC", await this.#key, input);
    return new Uint8Array(signed, 0, STREAM_MAC_BYTES);
  }
}

function keyOf(from: SocketAddress, runId: number): string {
  return `${from.hostname} ${from.port} ${runId}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000) >>> 0;
}

// Every byte compared whatever the first difference, so timing tells a forger nothing.
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

// Hosts whose MAC budget is remembered; past this many the memory starts again.
const MAX_BUDGET_HOSTS = 4096;

/** Token buckets for the HMACs a flood could make the server compute: per host, and in all. */
class MacBudget {
  readonly #hosts = new Map<string, { tokens: number; atMs: number }>();
  #tokens = MACS_PER_SECOND;
  #atMs = performance.now();

  take(host: string): boolean {
    const now = performance.now();
    this.#tokens = Math.min(
      MACS_PER_SECOND,
      this.#tokens + ((now - this.#atMs) / 1000) * MACS_PER_SECOND,
    );
    this.#atMs = now;
    let bucket = this.#hosts.get(host);
    if (!bucket) {
      if (this.#hosts.size >= MAX_BUDGET_HOSTS) this.#hosts.clear();
      bucket = { tokens: MACS_PER_HOST_PER_SECOND, atMs: now };
      this.#hosts.set(host, bucket);
    }
    bucket.tokens = Math.min(
      MACS_PER_HOST_PER_SECOND,
      bucket.tokens + ((now - bucket.atMs) / 1000) * MACS_PER_HOST_PER_SECOND,
    );
    bucket.atMs = now;
    if (bucket.tokens < 1 || this.#tokens < 1) return false;
    bucket.tokens--;
    this.#tokens--;
    return true;
  }
}
