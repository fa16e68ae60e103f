import { resolveHost } from "./address.ts";
import { concatBytes } from "./framing/concat.ts";
import { createFraming, DEFAULT_MAX_FRAME_BYTES, FramingError } from "./framing/mod.ts";
import type { FrameDecoder, Framing, FramingName } from "./framing/mod.ts";
import { Message, type Payload, toBytes } from "./message.ts";
import { runtime } from "./net/runtime.ts";
import type { SocketAddress, TcpConnection, TcpListener } from "./net/types.ts";

// Past this many unsent reply bytes a connection stops reading until they drain,
// so a client that never reads cannot grow the server's memory.
const WRITE_HIGH_WATER_BYTES = 256 * 1024;
// How long close() lets connections flush before cutting them off.
const SHUTDOWN_GRACE_MS = 800;

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
  /** Sends a message to this client outside the request/reply flow (chat, notices). */
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
}

/** Options for {@linkcode serve}. */
export interface ServeOptions {
  /** Address to listen on. @default {"127.0.0.1"} */
  host?: string;
  /** Port; 0 lets the system pick a free one. @default {0} */
  port?: number;
  /** Wire format. @default {"line"} */
  framing?: FramingName;
  /** Largest message accepted or sent. @default {65536} */
  maxFrameBytes?: number;
  /** A client connected (before its first message). */
  onConnect?(client: Client): void;
  /** A client left; `error` says why when it did not leave cleanly. */
  onDisconnect?(client: Client, error?: Error): void;
  /**
   * Something went wrong with one client (bad framing, a handler that threw);
   * the server goes on. Without it such errors are dropped silently.
   */
  onError?(error: Error, client?: Client): void;
}

/** A running TCP server. */
export interface Server {
  /** Where it listens, with the real port. */
  readonly address: SocketAddress;
  readonly framing: Framing;
  /** The clients connected now. */
  readonly clients: ReadonlySet<Client>;
  readonly stats: Readonly<ServerStats>;
  /** Stops accepting, flushes and closes every connection, resolves when all are closed. */
  close(): Promise<void>;
}

class ServedClient implements Client {
  readonly id: number;
  readonly #connection: TcpConnection;
  readonly #server: TcpServer;
  readonly #decoder: FrameDecoder;
  #outgoing: Uint8Array[] = [];
  #pending: Promise<void> | undefined;
  #closing = false;
  readonly closed: Promise<void>;
  #markClosed!: () => void;

  constructor(id: number, connection: TcpConnection, server: TcpServer) {
    this.id = id;
    this.#connection = connection;
    this.#server = server;
    this.#decoder = server.framing.createDecoder();
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
  }

  get remoteAddress(): SocketAddress {
    return this.#connection.remoteAddress;
  }

  get localAddress(): SocketAddress {
    return this.#connection.localAddress;
  }

  start(): void {
    this.#connection.setNoDelay(true);
    this.#connection.start({
      data: (chunk) => this.#onData(chunk),
      end: () => void this.#onPeerEnd(),
      close: (error) => this.#onClose(error),
    });
  }

  send(payload: Payload): void {
    if (this.#closing) return;
    this.#queue(toBytes(payload));
    this.#flush();
  }

  async close(): Promise<void> {
    if (this.#closing) return await this.closed;
    this.#closing = true;
    this.#flush();
    await this.#connection.closeWrite();
    this.#connection.close();
    await this.closed;
  }

  #onData(chunk: Uint8Array): void | Promise<void> {
    this.#server.stats.bytesIn += chunk.length;
    try {
      this.#decoder.push(chunk, this.#onFrame);
    } catch (error) {
      this.#flush();
      this.#rejectStream(error);
      return;
    }
    this.#flush();
    if (this.#pending) return this.#pending;
    if (this.#connection.bufferedBytes > WRITE_HIGH_WATER_BYTES) return this.#connection.flushed();
  }

  readonly #onFrame = (frame: Uint8Array): void => {
    this.#server.stats.messagesIn++;
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
      reply = this.#server.handler(new Message(frame), this);
    } catch (error) {
      return this.#handlerFailed(error);
    }
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
      this.#queue(toBytes(reply));
    } catch (error) {
      this.#handlerFailed(error);
    }
  }

  #queue(payload: Uint8Array): void {
    this.#outgoing.push(this.#server.framing.encode(payload));
    this.#server.stats.messagesOut++;
  }

  // The error line must itself be framable (no newline, within the maximum), or
  // reporting one failure would throw another and take the connection down.
  #queueError(failure: Error): void {
    const bytes = toBytes(`error: ${failure.message}`.replace(/[\r\n]+/g, " "));
    let end = Math.min(bytes.length, this.#server.framing.maxFrameBytes);
    // Cut on a character boundary so the line stays valid UTF-8.
    while (end < bytes.length && end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
    this.#queue(bytes.subarray(0, end));
  }

  // Replies produced from one chunk go out as one write: one syscall, one segment.
  #flush(): void {
    const outgoing = this.#outgoing;
    if (outgoing.length === 0) return;
    this.#outgoing = [];
    const bytes = outgoing.length === 1
      ? outgoing[0]!
      : concatBytes(outgoing, outgoing.reduce((sum, part) => sum + part.length, 0));
    this.#server.stats.bytesOut += bytes.length;
    this.#connection.write(bytes);
  }

  // A handler's failure answers that one message with an error line; the client stays.
  #handlerFailed(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.#server.reportError(failure, this);
    this.#queueError(failure);
  }

  // The stream cannot be resynchronised after a framing violation: say why, then hang up.
  #rejectStream(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.#server.reportError(failure, this);
    if (error instanceof FramingError) {
      this.#queueError(failure);
      this.#flush();
    }
    void this.close();
  }

  forceClose(): void {
    this.#connection.close();
  }

  async #onPeerEnd(): Promise<void> {
    try {
      const last = this.#decoder.finish();
      if (last) this.#onFrame(last);
    } catch (error) {
      this.#server.reportError(error instanceof Error ? error : new Error(String(error)), this);
    }
    // Everything the client sent before its FIN is answered before ours.
    while (this.#pending) await this.#pending;
    await this.close();
  }

  #onClose(error?: Error): void {
    this.#closing = true;
    this.#server.forget(this, error);
    this.#markClosed();
  }
}

class TcpServer implements Server {
  readonly framing: Framing;
  readonly handler: MessageHandler;
  readonly options: ServeOptions;
  readonly clients = new Set<ServedClient>();
  readonly stats: ServerStats = {
    connections: 0,
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
  };
  #listener: TcpListener | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ServeOptions, handler: MessageHandler) {
    this.options = options;
    this.handler = handler;
    this.framing = createFraming(
      options.framing ?? "line",
      options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    );
  }

  get address(): SocketAddress {
    return this.#listener!.address;
  }

  async listen(): Promise<void> {
    const hostname = await resolveHost(this.options.host ?? "127.0.0.1");
    this.#listener = await runtime.listenTcp({
      hostname,
      port: this.options.port ?? 0,
      onConnection: (connection) => this.#accept(connection),
      onAcceptError: (error) => this.reportError(error),
    });
  }

  #accept(connection: TcpConnection): void {
    if (this.#closing) {
      connection.close();
      return;
    }
    const client = new ServedClient(++this.stats.connections, connection, this);
    this.clients.add(client);
    client.start();
    this.options.onConnect?.(client);
  }

  forget(client: ServedClient, error?: Error): void {
    if (!this.clients.delete(client)) return;
    this.options.onDisconnect?.(client, error);
  }

  reportError(error: Error, client?: Client): void {
    this.options.onError?.(error, client);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    // Awaited so that once close() resolves the port can be listened on again.
    const released = this.#listener?.close();
    const clients = [...this.clients];
    const graceful = Promise.all(clients.map((client) => client.close()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((
      resolve,
    ) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)));
    await Promise.race([graceful, deadline]);
    clearTimeout(timer);
    // Clients that would not take their data in time are cut off.
    for (const client of this.clients) client.forceClose();
    await Promise.all(clients.map((client) => client.closed));
    await released;
  }
}

/**
 * Starts a TCP server that answers each framed message with what `handler` returns.
 *
 * @param options Where to listen and how messages are framed.
 * @param handler Called once per message, in order per client.
 * @returns The running server, once it listens.
 * @throws {NetError} `ADDRESS_IN_USE`, `ADDRESS_NOT_AVAILABLE`, `HOST_NOT_FOUND`, `PERMISSION_DENIED`.
 * @example
 * ```ts
 * import { serve } from "../mod.ts";
 * const server = await serve({ port: 0 }, (message) => message.text.toUpperCase());
 * console.log(`listening on ${server.address.port}`);
 * await server.close();
 * ```
 */
export async function serve(options: ServeOptions, handler: MessageHandler): Promise<Server> {
  const server = new TcpServer(options, handler);
  await server.listen();
  return server;
}
