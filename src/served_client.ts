import { asError } from "./as_error.ts";
import { echo } from "./echo.ts";
import { concatBytes, followsOn } from "./framing/concat.ts";
import { type FrameDecoder, type Framing, FramingError } from "./framing/mod.ts";
import { Message, type Payload, toBytes } from "./message.ts";
import type { SocketAddress, TcpConnection } from "./net/types.ts";
import type { TraceEvent, TraceSink } from "./trace.ts";

// Past this many unsent reply bytes a connection stops reading until they drain,
// so a client that never reads cannot grow the server's memory.
const WRITE_HIGH_WATER_BYTES = 256 * 1024;
// An echo copies at most this much of an unfinished frame to let its chunk's memory be reused.
const DETACH_MAX_BYTES = 4096;
// How long a closing connection waits for the client's FIN before closing anyway.
const LINGER_MS = 2000;

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([promise.then(() => {}, () => {}), expiry]);
  clearTimeout(timer);
}

/** What a handler may answer: text, bytes, or nothing (no reply). */
export type Reply = Payload | undefined | null | void;

/** Answers one message; may be async. Messages of one client are handled in order. */
export type MessageHandler = (message: Message, client: Client) => Reply | Promise<Reply>;

/** A connected client, as the server sees it. */
export interface Client {
  /** 1 for the first client of this server, then 2, 3, ... */
  readonly id: number;
  readonly remoteAddress: SocketAddress;
  readonly localAddress: SocketAddress;
  /**
   * Sends a message to this client outside the request/reply flow (chat,
   * notices). A client that stops reading is disconnected once more than the
   * server's `maxQueuedBytes` wait for it, so it never holds the others up.
   */
  send(payload: Payload): void;
  /** Flushes what was sent, then closes the connection. */
  close(): Promise<void>;
}

/** Counters a server keeps over its life. */
export interface ServerStats {
  connections: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Connections turned away by --max-conns, --allow or --deny. */
  refused: number;
}

/** What a served client needs from its server. */
export interface ClientHost {
  readonly framing: Framing;
  readonly handler: MessageHandler;
  readonly stats: ServerStats;
  readonly maxQueuedBytes: number;
  readonly trace: TraceSink | undefined;
  reportError(error: Error, client?: Client): void;
  /** A complete message arrived: the client is active. */
  touch(client: ServedClient): void;
  forget(client: ServedClient, error?: Error): void;
}

/** One client connection of a server: framing, handler calls in order, replies, shutdown. */
export class ServedClient implements Client {
  readonly id: number;
  readonly #connection: TcpConnection;
  readonly #host: ClientHost;
  readonly #decoder: FrameDecoder;
  readonly #echoes: boolean;
  #outgoing: Uint8Array[] = [];
  #outgoingMessages = 0;
  #pending: Promise<void> | undefined;
  #closing = false;
  #peerEnded = false;
  #finSent = false;
  #markPeerEnded = () => {};
  readonly closed: Promise<void>;
  #markClosed!: () => void;

  constructor(id: number, connection: TcpConnection, host: ClientHost) {
    this.id = id;
    this.#connection = connection;
    this.#host = host;
    this.#decoder = host.framing.createDecoder();
    this.#echoes = host.handler === echo;
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
  }

  get remoteAddress(): SocketAddress {
    return this.#connection.remoteAddress;
  }

  get localAddress(): SocketAddress {
    return this.#connection.localAddress;
  }

  start(): void {
    this.#trace({ type: "connected" });
    this.#connection.setNoDelay(true);
    this.#connection.start({
      data: (chunk) => this.#onData(chunk),
      end: () => void this.#onPeerEnd(),
      close: (error) => this.#onClose(error),
    });
  }

  send(payload: Payload): void {
    if (this.#closing) return;
    if (this.#connection.bufferedBytes > this.#host.maxQueuedBytes) {
      this.#host.reportError(
        new Error(
          `client is not reading: over ${this.#host.maxQueuedBytes} bytes wait for it; disconnected`,
        ),
        this,
      );
      this.forceClose();
      return;
    }
    this.#queue(payload);
    this.#flush();
  }

  async close(): Promise<void> {
    if (this.#closing) return await this.closed;
    this.#closing = true;
    // Replies still being computed answer accepted messages: they go out before
    // the FIN. Bounded, because a handler may itself be awaiting this close().
    if (this.#pending) await within(this.#pending, LINGER_MS);
    this.#flush();
    this.#finSent = true;
    // Traced when asked for: the FIN follows the queued bytes, and the connection may be over before this resolves.
    this.#trace({ type: "fin-sent" });
    await this.#connection.closeWrite();
    // Closing with unread input makes the kernel answer with a reset, which can
    // destroy replies the client has not read yet; so its FIN is awaited first
    // (what it still sends is discarded), for a while.
    if (!this.#peerEnded) {
      await within(new Promise<void>((resolve) => (this.#markPeerEnded = resolve)), LINGER_MS);
    }
    this.#connection.close();
    await this.closed;
  }

  /** Sends a one-line notice (why the server hangs up, say) and closes. */
  async closeWithNotice(notice: string): Promise<void> {
    if (this.#closing) return await this.closed;
    this.#queueError(new Error(notice));
    await this.close();
  }

  forceClose(): void {
    this.#connection.close();
  }

  #trace(event: TraceEvent): void {
    this.#host.trace?.(event, {
      protocol: "tcp",
      local: this.#connection.localAddress,
      remote: this.#connection.remoteAddress,
    });
  }

  #onData(chunk: Uint8Array): void | Promise<void> {
    // Once closing, a reply could only follow our FIN and be lost: what arrives now is not accepted.
    if (this.#closing) return;
    const stats = this.#host.stats;
    stats.bytesIn += chunk.length;
    const messagesBefore = stats.messagesIn;
    try {
      if (this.#echoes) this.#decoder.pushWire(chunk, this.#onEchoRun);
      else this.#decoder.push(chunk, this.#onFrame);
    } catch (error) {
      this.#traceRead(chunk, stats.messagesIn - messagesBefore);
      this.#flush();
      this.#rejectStream(error);
      return;
    }
    // An echo keeps nothing of the chunk once its replies are queued, apart
    // from the start of an unfinished frame, copied here when it is small: the
    // adapter may then read into the same memory again. Never while tracing,
    // since a trace sink may keep what it is shown.
    if (this.#echoes && !this.#host.trace && this.#decoder.detach(DETACH_MAX_BYTES)) {
      this.#connection.releaseChunk();
    }
    const messages = stats.messagesIn - messagesBefore;
    // Only whole messages count as activity, so a slow-drip client still times out.
    if (messages > 0) this.#host.touch(this);
    this.#traceRead(chunk, messages);
    this.#flush();
    if (this.#pending) return this.#pending;
    if (this.#connection.bufferedBytes > WRITE_HIGH_WATER_BYTES) return this.#connection.flushed();
  }

  #traceRead(data: Uint8Array, messages: number): void {
    if (this.#host.trace) this.#trace({ type: "read", data, messages });
  }

  // The echo handler's answer to a run of frames is their wire bytes as they arrived.
  readonly #onEchoRun = (wire: Uint8Array, frames: number): void => {
    this.#host.stats.messagesIn += frames;
    this.#queueWire(wire, frames);
  };

  readonly #onFrame = (frame: Uint8Array): void => {
    this.#host.stats.messagesIn++;
    const previous = this.#pending;
    const next = previous ? previous.then(() => this.#handle(frame)) : this.#handle(frame);
    if (!next) return;
    this.#pending = next;
    void next.then(() => {
      if (this.#pending === next) this.#pending = undefined;
    });
  };

  #handle(frame: Uint8Array): void | Promise<void> {
    let reply: Reply | Promise<Reply>;
    try {
      reply = this.#host.handler(new Message(frame), this);
    } catch (error) {
      return this.#handlerFailed(error);
    }
    // An echo hands back the decoded frame itself: it needs no second validation.
    if (reply === frame) return this.#queueWire(this.#host.framing.reframe(frame));
    if (reply instanceof Promise) {
      return reply.then(
        (value) => {
          this.#reply(value);
          this.#flush();
        },
        (error) => {
          this.#handlerFailed(error);
          this.#flush();
        },
      );
    }
    this.#reply(reply);
  }

  #reply(reply: Reply): void {
    if (reply === undefined || reply === null) return;
    try {
      this.#queue(reply);
    } catch (error) {
      this.#handlerFailed(error);
    }
  }

  #queue(payload: Payload): void {
    this.#queueWire(this.#host.framing.encode(payload));
  }

  #queueWire(framed: Uint8Array, messages = 1): void {
    // After our FIN nothing can be sent, so nothing is counted as sent.
    if (this.#finSent) return;
    this.#outgoing.push(framed);
    this.#outgoingMessages += messages;
    this.#host.stats.messagesOut += messages;
  }

  // The error line must itself be framable (no newline, within the maximum), or
  // reporting one failure would throw another and take the connection down.
  #queueError(failure: Error): void {
    const bytes = toBytes(`error: ${failure.message}`.replace(/[\r\n]+/g, " "));
    let end = Math.min(bytes.length, this.#host.framing.maxFrameBytes);
    // Cut on a character boundary so the line stays valid UTF-8.
    while (end < bytes.length && end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
    this.#queue(bytes.subarray(0, end));
  }

  // Replies produced from one chunk go out together: small ones joined into
  // one write (one syscall, one segment), large ones as they are, uncopied.
  #flush(): void {
    const outgoing = this.#outgoing;
    if (outgoing.length === 0) return;
    const messages = this.#outgoingMessages;
    const writes = outgoing.length === 1 ? outgoing : gatherWrites(outgoing);
    let bytes = 0;
    for (const write of writes) {
      bytes += write.length;
      this.#connection.write(write);
    }
    this.#host.stats.bytesOut += bytes;
    if (this.#host.trace) {
      const data = writes.length === 1 ? writes[0]! : concatBytes(writes, bytes);
      this.#trace({ type: "wrote", data, messages });
    }
    outgoing.length = 0;
    this.#outgoingMessages = 0;
  }

  // A handler's failure answers that one message with an error line; the client stays.
  #handlerFailed(error: unknown): void {
    const failure = asError(error);
    this.#host.reportError(failure, this);
    this.#queueError(failure);
  }

  // The stream cannot be resynchronised after a framing violation: say why, then hang up.
  #rejectStream(error: unknown): void {
    const failure = asError(error);
    this.#host.reportError(failure, this);
    if (error instanceof FramingError) {
      this.#queueError(failure);
      this.#flush();
    }
    void this.close();
  }

  async #onPeerEnd(): Promise<void> {
    this.#trace({ type: "peer-fin" });
    this.#peerEnded = true;
    this.#markPeerEnded();
    // Closing already: the FIN is what close() waits for, and nothing more is accepted.
    if (this.#closing) return;
    try {
      const last = this.#decoder.finish();
      if (last) this.#onFrame(last);
    } catch (error) {
      this.#host.reportError(asError(error), this);
    }
    // Everything the client sent before its FIN is answered before ours.
    while (this.#pending) await this.#pending;
    await this.close();
  }

  #onClose(error?: Error): void {
    this.#closing = true;
    this.#markPeerEnded();
    this.#trace({ type: "closed", error });
    this.#host.forget(this, error);
    this.#markClosed();
  }
}

// Parts at least this big are written as they are; copying them costs more than a write call.
const WRITE_AS_IS_BYTES = 16 * 1024;

/**
 * Turns queued replies into few writes without copying much: parts that lie
 * back to back in one received buffer (the echo of a pipelined batch, or of a
 * frame that came in pieces) are joined as a wider view, small parts between
 * large ones are copied together, and large parts go out as they are.
 */
function gatherWrites(parts: readonly Uint8Array[]): Uint8Array[] {
  const runs: Uint8Array[] = [parts[0]!];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    const last = runs[runs.length - 1]!;
    if (followsOn(last, part)) {
      runs[runs.length - 1] = new Uint8Array(
        last.buffer,
        last.byteOffset,
        last.length + part.length,
      );
    } else {
      runs.push(part);
    }
  }
  const writes: Uint8Array[] = [];
  let small: Uint8Array[] = [];
  let smallBytes = 0;
  const joinSmall = () => {
    if (small.length > 0) {
      writes.push(small.length === 1 ? small[0]! : concatBytes(small, smallBytes));
    }
    small = [];
    smallBytes = 0;
  };
  for (const run of runs) {
    if (run.length >= WRITE_AS_IS_BYTES) {
      joinSmall();
      writes.push(run);
    } else {
      small.push(run);
      smallBytes += run.length;
    }
  }
  joinSmall();
  return writes;
}
