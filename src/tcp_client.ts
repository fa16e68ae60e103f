import { resolveHost } from "./address.ts";
import { deadline } from "./async/deadline.ts";
import { Waiters } from "./async/waiters.ts";
import { createFraming, DEFAULT_MAX_FRAME_BYTES } from "./framing/mod.ts";
import type { FrameDecoder, Framing, FramingName } from "./framing/mod.ts";
import { Message, type Payload } from "./message.ts";
import { NetError } from "./net/net_error.ts";
import { runtime } from "./net/runtime.ts";
import type { SocketAddress, TcpConnection } from "./net/types.ts";
import type { TraceEvent, TraceSink } from "./trace.ts";

// Past this many unread messages the connection stops reading, so a fast
// server cannot grow a slow reader's memory.
const INBOX_HIGH_WATER = 1024;

/** Options for {@linkcode connect}. */
export interface ConnectOptions {
  /** Server host name or IP. @default {"127.0.0.1"} */
  host?: string;
  /** Server port. */
  port: number;
  /** Wire format; must match the server's. @default {"line"} */
  framing?: FramingName;
  /** Largest message accepted or sent. @default {65536} */
  maxFrameBytes?: number;
  /** How long to wait for the connection, in milliseconds. @default {5000} */
  timeoutMs?: number;
  /** Sees every connection event and every byte, for narration and hex views. */
  trace?: TraceSink;
}

/** A client connection that sends and receives framed messages. */
export class Connection {
  /** The wire format this connection speaks, with its `maxFrameBytes`. */
  readonly framing: Framing;
  readonly #connection: TcpConnection;
  readonly #decoder: FrameDecoder;
  readonly #inbox: Message[] = [];
  readonly #arrivals = new Waiters();
  readonly #room = new Waiters();
  #ended = false;
  #error: Error | undefined;
  #closed = false;
  /** Resolves when the connection has closed; with the error, if it failed. */
  readonly closed: Promise<Error | undefined>;
  #markClosed!: (error: Error | undefined) => void;
  readonly #traceSink: TraceSink | undefined;

  /** @internal Use {@linkcode connect}. */
  constructor(connection: TcpConnection, framing: Framing, trace?: TraceSink) {
    this.#connection = connection;
    this.framing = framing;
    this.#traceSink = trace;
    this.#decoder = framing.createDecoder();
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    this.#trace({ type: "connected" });
    connection.setNoDelay(true);
    connection.start({
      data: (chunk) => this.#onData(chunk),
      end: () => {
        this.#trace({ type: "peer-fin" });
        this.#onEnd();
      },
      close: (error) => this.#onClose(error),
    });
  }

  #trace(event: TraceEvent): void {
    this.#traceSink?.(event, {
      protocol: "tcp",
      local: this.#connection.localAddress,
      remote: this.#connection.remoteAddress,
    });
  }

  /** This end of the connection: a local IP address and the port the system picked. */
  get localAddress(): SocketAddress {
    return this.#connection.localAddress;
  }

  /** The server's end: the resolved IP address and the port connected to. */
  get remoteAddress(): SocketAddress {
    return this.#connection.remoteAddress;
  }

  /**
   * Sends one message.
   * @throws {FramingError} when it is too large or cannot be framed (a newline in line framing).
   */
  send(payload: Payload): void {
    const data = this.framing.encode(payload);
    this.#connection.write(data);
    if (this.#traceSink) this.#trace({ type: "wrote", data, messages: 1 });
  }

  /**
   * Bytes accepted by `send` that have not gone to the operating system yet;
   * a fast sender waits on `flushed()` when this grows, so memory stays bounded.
   */
  get bufferedBytes(): number {
    return this.#connection.bufferedBytes;
  }

  /** Resolves when everything sent so far has gone to the operating system. */
  flushed(): Promise<void> {
    return this.#connection.flushed();
  }

  /**
   * Returns the next message, or `null` once the server has finished sending.
   * @param timeoutMs Give up after this long.
   * @throws {NetError} `TIMED_OUT` when nothing came in time, or the connection's failure.
   */
  async receive(timeoutMs?: number): Promise<Message | null> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    for (;;) {
      const message = this.#inbox.shift();
      if (message) {
        if (this.#inbox.length === INBOX_HIGH_WATER - 1) this.#room.release();
        return message;
      }
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      // Waiting does not take a message, so one that arrives after a timeout stays for the next call.
      await this.#arrivals.waitBefore(
        deadline,
        () =>
          new NetError("TIMED_OUT", `no reply within ${timeoutMs} ms`, {
            operation: "receive",
            address: this.remoteAddress,
          }),
      );
    }
  }

  /** Every message until the server finishes sending. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Message> {
    for (;;) {
      const message = await this.receive();
      if (message === null) return;
      yield message;
    }
  }

  /** Half-closes: sends FIN after what was sent, keeps receiving replies. */
  end(): Promise<void> {
    this.#trace({ type: "fin-sent" });
    return this.#connection.closeWrite();
  }

  /** Closes both directions now. */
  close(): void {
    this.#connection.close();
  }

  #onData(chunk: Uint8Array): void | Promise<void> {
    const before = this.#inbox.length;
    try {
      this.#decoder.push(chunk, (frame) => this.#inbox.push(new Message(frame)));
    } catch (error) {
      this.#error = error as Error;
      this.#connection.close();
    }
    if (this.#traceSink) {
      this.#trace({ type: "read", data: chunk, messages: this.#inbox.length - before });
    }
    this.#arrivals.release();
    if (this.#inbox.length >= INBOX_HIGH_WATER) return this.#room.wait();
  }

  #onEnd(): void {
    try {
      const last = this.#decoder.finish();
      if (last) this.#inbox.push(new Message(last));
    } catch (error) {
      this.#error ??= error as Error;
    }
    this.#ended = true;
    this.#arrivals.release();
  }

  #onClose(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#ended) this.#onEnd();
    if (error) this.#error ??= error;
    this.#trace({ type: "closed", error });
    this.#room.release();
    this.#arrivals.release();
    this.#markClosed(error);
  }
}

/**
 * Connects to a TCP server that speaks framed messages.
 *
 * @param options The server's address and the framing it speaks.
 * @returns The open connection.
 * @throws {NetError} `CONNECTION_REFUSED`, `HOST_NOT_FOUND`, `TIMED_OUT`, `NETWORK_UNREACHABLE`.
 * @example
 * ```ts
 * import { connect, serve } from "../mod.ts";
 * const server = await serve({ port: 0 }, (message) => message.text);
 * const connection = await connect({ port: server.address.port });
 * connection.send("hello");
 * const reply = await connection.receive(1000);
 * if (reply?.text !== "hello") throw new Error("no echo");
 * connection.close();
 * await server.close();
 * ```
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const framing = createFraming(
    options.framing ?? "line",
    options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
  );
  const timeoutMs = options.timeoutMs ?? 5000;
  const hostname = await resolveHost(options.host ?? "127.0.0.1");
  const address = { hostname, port: options.port };
  const connecting = runtime.connectTcp(address);
  const connection = await deadline(connecting, timeoutMs, () => {
    // A connection that completes after we gave up must not linger.
    connecting.then((late) => late.close(), () => {});
    return new NetError("TIMED_OUT", `no answer within ${timeoutMs} ms`, {
      operation: "connect",
      address,
    });
  });
  return new Connection(connection, framing, options.trace);
}
