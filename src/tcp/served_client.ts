import { settlesWithin } from "../async/mod.ts";
import { concatBytes, noticeBytes } from "../bytes/mod.ts";
import { type FrameDecoder, type Framing, FramingError } from "../framing/mod.ts";
import {
  asError,
  type Client,
  echo,
  Message,
  type MessageHandler,
  type Payload,
  type Reply,
  type TraceEndpoints,
  type TraceEvent,
  type TraceSink,
} from "../message/mod.ts";
import type { SocketAddress, StreamEvents, TcpConnection } from "../net/mod.ts";
import type { ByteService } from "./byte_service.ts";
import { DelayedConnection, type WriteDelay } from "./delayed_connection.ts";
import type { ReadConsequences } from "./read_consequences.ts";
import type { ReaderCongestion, Recipient } from "./reader_congestion.ts";

// Past this much waiting to be sent (replies, and messages from others) a
// client's input is not handled further until it drains, checked after every
// message: a client that never reads cannot grow the server's memory, however
// many replies one chunk of its input asks for.
const WRITE_HIGH_WATER_BYTES = 256 * 1024;
// An echo copies at most this much of an unfinished frame to let its chunk's memory be reused.
const DETACH_MAX_BYTES = 4096;
// A byte service's source is queued until this much waits, then refilled once
// it has gone: enough that the socket never runs dry between refills.
const SOURCE_QUEUE_BYTES = 512 * 1024;

/** The counters a served client adds to; its server reads them. */
export interface TrafficCounters {
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
}

/** What a served client needs from its server. */
export interface ClientHost {
  readonly framing: Framing;
  readonly handler: MessageHandler;
  readonly counters: TrafficCounters;
  readonly maxQueuedBytes: number;
  readonly trace: TraceSink | undefined;
  /** The server's reads' consequences, held while a traced chunk is decoded. */
  readonly readConsequences: ReadConsequences;
  /**
   * How long a closing connection waits for the client to take a byte of what
   * is queued, and then for its FIN, before closing anyway: a client whose
   * receive window stays shut cannot keep a connection (and a maxConnections slot).
   */
  readonly lingerMs: number;
  /** Leave Nagle's algorithm on for clients (otherwise TCP_NODELAY). */
  readonly nagle: boolean;
  /** Hold every write to a client this long, as a slow network would. */
  readonly replyDelay: WriteDelay | undefined;
  /** Set when clients are raw byte streams: their input is counted and dropped, never decoded. */
  readonly bytes: ByteService | undefined;
  /** Clients that others' messages pile up for; senders wait for them. */
  readonly congestion: ReaderCongestion<ServedClient>;
  /** The wire bytes for `payload`, shared with the last client it was sent to. */
  encodeShared(payload: Payload): Uint8Array;
  reportError(error: Error, client?: Client): void;
  /** Words an error for the `error:` line the client is sent. */
  describe(error: Error): string;
  /** Whether clients that go quiet are closed: then touch() must see every message. */
  readonly watchesIdle: boolean;
  /** A complete message arrived: the client is active. */
  touch(client: ServedClient): void;
  forget(client: ServedClient, error?: Error): void;
}

/** One client connection of a server: framing, handler calls in order, replies, shutdown. */
export class ServedClient implements Client, Recipient {
  // What the connection reports comes through one small object that points
  // here. Per message the adapter reads it alone, where it read three (an
  // events object, its closure, and the scope the closures shared), each out
  // of the cache again by the next message when 50 clients take turns.
  static readonly #Events = class implements StreamEvents {
    readonly #client: ServedClient;

    constructor(client: ServedClient) {
      this.#client = client;
    }

    data(chunk: Uint8Array): void | Promise<void> {
      return this.#client.#onData(chunk);
    }

    end(): void {
      void this.#client.#onPeerEnd();
    }

    close(error?: Error): void {
      this.#client.#onClose(error);
    }
  };

  // The fields every message reads come first, so that they share the
  // object's first cache line: with 50 clients in turn, each client's objects
  // have left the cache by its next message.
  #closing = false;
  readonly #host: ClientHost;
  // Input held back for backpressure is being handled; reading is paused meanwhile.
  #resuming: Promise<void> | undefined;
  // An echo's chunks of whole frames skip decoding; a trace must see every read decoded.
  readonly #echoesWhole: boolean;
  readonly #decoder: FrameDecoder;
  readonly #connection: TcpConnection;
  #pending: Promise<void> | undefined;
  #outgoingBytes = 0;
  readonly id: number;
  readonly #echoes: boolean;
  // Replies of the current chunk: the first #outgoingCount entries. The array is
  // reused, not emptied, since emptying frees its storage and the next reply reallocates it.
  readonly #outgoing: (Uint8Array | undefined)[] = [];
  #outgoingCount = 0;
  #outgoingMessages = 0;
  // Chunks that came while paused: Bun may deliver one more after pause().
  #held: Uint8Array[] = [];
  #peerEnded = false;
  #finSent = false;
  #markPeerEnded = () => {};
  readonly closed: Promise<void>;
  #markClosed!: () => void;
  // How much longer than lingerMs a closing connection waits for its FIN: what --delay holds.
  readonly #heldMs: number;

  constructor(id: number, connection: TcpConnection, host: ClientHost) {
    this.id = id;
    // Wrapped only when asked for, so the usual path costs nothing more.
    const delayed = host.replyDelay && new DelayedConnection(connection, host.replyDelay);
    this.#connection = delayed || connection;
    this.#heldMs = delayed ? delayed.maxDelayMs : 0;
    this.#host = host;
    this.#decoder = host.framing.createDecoder();
    this.#echoes = host.handler === echo;
    this.#echoesWhole = this.#echoes && !host.trace && this.#decoder.wholeFrames !== undefined;
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
  }

  get remoteAddress(): SocketAddress {
    return this.#connection.remoteAddress;
  }

  get localAddress(): SocketAddress {
    return this.#connection.localAddress;
  }

  get writtenBytes(): number {
    return this.#connection.writtenBytes;
  }

  drained(): Promise<void> {
    return this.#connection.flushed();
  }

  start(): void {
    const nagle = this.#host.nagle;
    this.#connection.setNoDelay(!nagle);
    this.#trace({ type: "connected", nagle });
    if (this.#echoesWhole && !this.#host.bytes && !this.#host.watchesIdle) {
      // The connection may then answer what #echoWhole would, without calling here.
      this.#connection.setEchoShortcut?.({
        // #echoesWhole holds only when the decoder has wholeFrames.
        frames: this.#decoder as Required<Pick<FrameDecoder, "wholeFrames">>,
        counters: this.#host.counters,
        congestion: this.#host.congestion,
      });
    }
    this.#connection.start(new ServedClient.#Events(this));
    const source = this.#host.bytes?.source;
    if (source) void this.#sendForever(source);
  }

  send(payload: Payload): void {
    if (this.#closing) return;
    if (this.#connection.bufferedMemory > this.#host.maxQueuedBytes) {
      this.dropAsNotReading(`over ${this.#host.maxQueuedBytes} bytes wait for it`);
      return;
    }
    this.#queueWire(this.#host.encodeShared(payload));
    this.#flush();
    if (this.#connection.bufferedMemory > WRITE_HIGH_WATER_BYTES) this.#host.congestion.note(this);
  }

  /** Disconnects a client that stopped taking what is sent to it. */
  dropAsNotReading(reason: string): void {
    if (this.#closing) return;
    this.#host.reportError(new Error(`client is not reading: ${reason}; disconnected`), this);
    this.forceClose();
  }

  async close(): Promise<void> {
    if (this.#closing) return await this.closed;
    this.#closing = true;
    // What arrives from now on is not accepted, so nothing may go back unseen.
    this.#connection.setEchoShortcut?.(undefined);
    // Replies still being computed answer accepted messages: they go out before
    // the FIN. Bounded, because a handler may itself be awaiting this close().
    if (this.#pending) await settlesWithin(this.#pending, this.#host.lingerMs);
    this.#flush();
    this.#finSent = true;
    // Traced when asked for: the FIN follows the queued bytes, and the connection may be over before this resolves.
    this.#trace({ type: "fin-sent" });
    await this.#flushWhileTaken(this.#connection.closeWrite());
    // Closing with unread input makes the kernel answer with a reset, which can
    // destroy replies the client has not read yet; so its FIN is awaited first
    // (what it still sends is discarded), for a while.
    if (!this.#peerEnded) {
      await settlesWithin(
        new Promise<void>((resolve) => (this.#markPeerEnded = resolve)),
        this.#host.lingerMs,
      );
    }
    this.#connection.close();
    await this.closed;
  }

  // Waits for `finSent` as long as the client keeps taking bytes: a slow
  // reader gets every reply, one whose window stays shut is given up on.
  async #flushWhileTaken(finSent: Promise<void>): Promise<void> {
    let written = this.#connection.writtenBytes;
    while (!(await settlesWithin(finSent, this.#host.lingerMs + this.#heldMs))) {
      if (this.#connection.writtenBytes === written) return;
      written = this.#connection.writtenBytes;
    }
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
    const trace = this.#host.trace;
    if (!trace) return;
    this.#host.readConsequences.emit(trace, event, this.#where());
  }

  #where(): TraceEndpoints {
    return {
      protocol: "tcp",
      local: this.#connection.localAddress,
      remote: this.#connection.remoteAddress,
    };
  }

  #onData(chunk: Uint8Array): void | Promise<void> {
    // Once closing, a reply could only follow our FIN and be lost: what arrives now is not accepted.
    if (this.#closing) return;
    this.#host.counters.bytesIn += chunk.length;
    if (this.#host.bytes) return this.#drop(chunk, this.#host.bytes);
    // Behind input still held back, in arrival order.
    if (this.#resuming) {
      this.#held.push(chunk);
      return this.#resuming;
    }
    if (this.#echoesWhole) {
      const frames = this.#decoder.wholeFrames!(chunk);
      if (frames > 0) {
        this.#echoWhole(chunk, frames);
        if (this.#mustWait()) return (this.#resuming = this.#decodeWhenReady(undefined));
        return;
      }
    }
    const rest = this.#decode(chunk);
    if (rest || this.#mustWait()) return (this.#resuming = this.#decodeWhenReady(rest));
  }

  // What decoding and flushing would do with a chunk of whole frames, in fewer
  // steps: per message, on Bun, the general path cost about 5% more server CPU.
  #echoWhole(chunk: Uint8Array, frames: number): void {
    const counters = this.#host.counters;
    counters.messagesIn += frames;
    counters.messagesOut += frames;
    counters.bytesOut += chunk.length;
    // Before the write, while the host is still in the cache: the system call evicts it.
    this.#host.touch(this);
    this.#connection.write(chunk);
    // Nothing of the chunk is kept: the adapter may read into its memory again.
    this.#connection.releaseChunk();
  }

  // A byte service's input: counted, shown to a trace, and its memory given
  // back at once, so the adapter reads the next chunk into the same bytes.
  #drop(chunk: Uint8Array, service: ByteService): void {
    this.#host.touch(this);
    service.received?.(this, chunk.length);
    if (this.#host.trace) this.#traceRead(chunk, 0);
    else this.#connection.releaseChunk();
  }

  // A byte service's source, queued only while the socket has room, until the
  // client leaves: a client that reads slowly slows this down, never grows memory.
  async #sendForever(source: Uint8Array): Promise<void> {
    const connection = this.#connection;
    const counters = this.#host.counters;
    let counted = connection.writtenBytes;
    while (!this.#closing) {
      while (connection.bufferedBytes < SOURCE_QUEUE_BYTES && !this.#closing) {
        connection.write(source);
        if (this.#host.trace) this.#trace({ type: "wrote", data: source, messages: 0 });
      }
      await connection.flushed();
      // Counted once taken by the system, so bytes dropped at a reset are not counted as sent.
      counters.bytesOut += connection.writtenBytes - counted;
      counted = connection.writtenBytes;
      this.#host.touch(this);
    }
  }

  // Decodes `chunk` until replies pile up; returns what is left of it then.
  #decode(chunk: Uint8Array): Uint8Array | undefined {
    if (!this.#host.trace) return this.#decodeChunk(chunk);
    return this.#host.readConsequences.during(() => this.#decodeChunk(chunk));
  }

  #decodeChunk(chunk: Uint8Array): Uint8Array | undefined {
    const counters = this.#host.counters;
    const messagesBefore = counters.messagesIn;
    let taken = chunk.length;
    try {
      if (this.#echoes) this.#decoder.pushWire(chunk, this.#onEchoRun);
      else taken = this.#decoder.push(chunk, this.#onFrame);
    } catch (error) {
      this.#traceRead(chunk, counters.messagesIn - messagesBefore);
      this.#flush();
      this.#rejectStream(error);
      return undefined;
    }
    // An echo keeps nothing of the chunk once its replies are queued, apart
    // from the start of an unfinished frame, copied here when it is small: the
    // adapter may then read into the same memory again. Never while tracing,
    // since a trace sink may keep what it is shown.
    if (this.#echoes && !this.#host.trace && this.#decoder.detach(DETACH_MAX_BYTES)) {
      this.#connection.releaseChunk();
    }
    const messages = counters.messagesIn - messagesBefore;
    // Only whole messages count as activity, so a slow-drip client still times out.
    if (messages > 0) this.#host.touch(this);
    this.#traceRead(taken === chunk.length ? chunk : chunk.subarray(0, taken), messages);
    this.#flush();
    return taken < chunk.length ? chunk.subarray(taken) : undefined;
  }

  // What was held back is handled once what it waited for has gone.
  async #decodeWhenReady(rest: Uint8Array | undefined): Promise<void> {
    try {
      for (;;) {
        await this.#readyForMore();
        if (this.#closing) return;
        rest ??= this.#held.shift();
        if (!rest) return;
        rest = this.#decode(rest);
      }
    } finally {
      this.#resuming = undefined;
      this.#held = [];
    }
  }

  // Replies waiting, a reply still being computed, or a recipient of this
  // client's messages falling behind: handling more input would only pile up more.
  #mustWait(): boolean {
    return this.#pending !== undefined
      || this.#outgoingBytes + this.#connection.bufferedMemory > WRITE_HIGH_WATER_BYTES
      || this.#host.congestion.congested;
  }

  async #readyForMore(): Promise<void> {
    // Each wait ends when what it waits on has moved or the connection closed, so this ends too.
    while (!this.#closing && this.#mustWait()) {
      if (this.#pending) await this.#pending;
      else if (this.#connection.bufferedMemory > WRITE_HIGH_WATER_BYTES) {
        await this.#connection.flushed();
      } else {
        await this.#host.congestion.clear();
        // Held up by someone else's reader, not idle: the idle timeout must not count this wait.
        this.#host.touch(this);
      }
    }
  }

  // Not held: the events held meanwhile are this read's consequences, narrated after it.
  #traceRead(data: Uint8Array, messages: number): void {
    this.#host.trace?.({ type: "read", data, messages }, this.#where());
  }

  // The echo handler's answer to a run of frames is their wire bytes as they arrived.
  readonly #onEchoRun = (wire: Uint8Array, frames: number): void => {
    this.#host.counters.messagesIn += frames;
    this.#queueWire(wire, frames);
  };

  // Returns true, stopping the decoder, once this message's replies make the rest wait.
  readonly #onFrame = (frame: Uint8Array): boolean => {
    this.#host.counters.messagesIn++;
    const previous = this.#pending;
    const next = previous ? previous.then(() => this.#handle(frame)) : this.#handle(frame);
    if (next) {
      this.#pending = next;
      void next.then(() => {
        if (this.#pending === next) this.#pending = undefined;
      });
    }
    return this.#mustWait();
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
    this.#outgoing[this.#outgoingCount++] = framed;
    this.#outgoingBytes += framed.length;
    this.#outgoingMessages += messages;
    this.#host.counters.messagesOut += messages;
  }

  // The error line must itself be framable (no newline, within the maximum), or
  // reporting one failure would throw another and take the connection down.
  #queueError(failure: Error): void {
    const text = `error: ${this.#host.describe(failure)}`;
    this.#queue(noticeBytes(text, this.#host.framing.maxFrameBytes));
  }

  // Replies produced from one chunk are handed over together; the connection's
  // write queue joins small ones into one write.
  #flush(): void {
    const count = this.#outgoingCount;
    if (count === 0) return;
    const outgoing = this.#outgoing;
    for (let i = 0; i < count; i++) this.#connection.write(outgoing[i]!);
    this.#host.counters.bytesOut += this.#outgoingBytes;
    if (this.#host.trace) {
      const data = count === 1
        ? outgoing[0]!
        : concatBytes(outgoing.slice(0, count) as Uint8Array[], this.#outgoingBytes);
      this.#trace({ type: "wrote", data, messages: this.#outgoingMessages });
    }
    // Nothing kept alive: a reply may be a view of a whole read.
    for (let i = 0; i < count; i++) outgoing[i] = undefined;
    this.#outgoingCount = 0;
    this.#outgoingBytes = 0;
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
    // Input held back for backpressure came before the FIN: it is answered first.
    if (this.#resuming) await this.#resuming;
    if (this.#closing) return;
    try {
      const last = this.#decoder.finish();
      if (last) this.#onFrame(last);
    } catch (error) {
      // The input ended inside a frame too large or cut short: the client is told, as mid-stream.
      this.#host.reportError(asError(error), this);
      if (error instanceof FramingError) this.#queueError(error);
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
