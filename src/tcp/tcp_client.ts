import { deadline, Waiters } from "../async/mod.ts";
import { resolveHost } from "../discovery/mod.ts";
import {
  createFraming,
  DEFAULT_MAX_FRAME_BYTES,
  type FrameDecoder,
  type Framing,
  type FramingName,
} from "../framing/mod.ts";
import { Message, type Payload, type TraceEvent, type TraceSink } from "../message/mod.ts";
import {
  certificateFingerprint,
  NetError,
  runtime,
  type SocketAddress,
  startsWithTlsRecord,
  type TcpConnection,
  type TlsConnection,
  type TlsTrust,
  verifyServerCertificate,
} from "../net/mod.ts";
import { type PieceOptions, PieceSender } from "./piece_sender.ts";

// Past this many unread messages the connection stops reading, so a fast
// server cannot grow a slow reader's memory.
const INBOX_HIGH_WATER = 1024;

/**
 * How long {@linkcode Connection.finish} waits, after its FIN and after each
 * message, for the server's FIN. A server that closes when its client does
 * answers within a round trip; a second covers a slow Wi-Fi round trip plus
 * one retransmission of a lost segment (Linux never retransmits sooner than
 * 200 ms), and a server that never closes costs a client at most that.
 */
export const FIN_GRACE_MS = 1000;

/** How {@linkcode Connection.finish} ends a conversation. */
export interface FinishOptions {
  /** Close once nothing has arrived for this long. @default {1000} */
  quietMs?: number;
  /** Close after this long in all, even while the server keeps sending. @default {5000} */
  maxMs?: number;
  /** Sees each message still unread or arriving meanwhile; without it they are dropped. */
  onMessage?: (message: Message) => void;
}

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
  /**
   * Speak TLS, trusting the server as this says. Without `fingerprint`, `ca`
   * or `insecure` the connection is refused, naming the fingerprint seen.
   */
  tls?: TlsConnectOptions;
  /**
   * Leave Nagle's algorithm on: small writes wait while earlier data is
   * unacknowledged and leave joined. Off by default (TCP_NODELAY), so each
   * message goes out at once. @default {false}
   */
  nagle?: boolean;
  /** Write each message in pieces of this many bytes, pausing between them, to show segmentation. */
  pieces?: PieceOptions;
}

/** How a {@linkcode Connection} writes: Nagle's algorithm, and messages cut into pieces. */
export type SendOptions = Pick<ConnectOptions, "nagle" | "pieces">;

/** TLS for {@linkcode connect}: how the server's certificate is trusted. */
export interface TlsConnectOptions extends TlsTrust {
  /** The name sent as SNI and checked with `ca`. @default {the host connected to} */
  serverName?: string;
}

/** What a TLS connection negotiated. */
export interface TlsSession {
  /** The protocol, such as `TLSv1.3`. */
  readonly version: string;
  /** The SHA-256 fingerprint of the server's certificate, as colon-separated upper-case hex. */
  readonly fingerprint: string;
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
  #finSent = false;
  // Why this end closed while the server could still send, for the trace.
  #closedEarly: string | undefined;
  /** Resolves when the connection has closed; with the error, if it failed. */
  readonly closed: Promise<Error | undefined>;
  #markClosed!: (error: Error | undefined) => void;
  readonly #traceSink: TraceSink | undefined;
  /** What TLS negotiated, when the connection speaks it. */
  readonly tls: TlsSession | undefined;
  #firstChunk = true;
  readonly #pieces: PieceSender | undefined;

  /** @internal Use {@linkcode connect}. */
  constructor(
    connection: TcpConnection,
    framing: Framing,
    trace?: TraceSink,
    tls?: TlsSession,
    sending: SendOptions = {},
  ) {
    this.#connection = connection;
    this.tls = tls;
    this.framing = framing;
    this.#traceSink = trace;
    this.#decoder = framing.createDecoder();
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
    const nagle = sending.nagle ?? false;
    connection.setNoDelay(!nagle);
    this.#trace({ type: "connected", nagle });
    if (sending.pieces) {
      this.#pieces = new PieceSender(connection, sending.pieces, (piece, last) => {
        if (this.#traceSink) this.#trace({ type: "wrote", data: piece, messages: last ? 1 : 0 });
      });
    }
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
    if (this.#pieces) return this.#pieces.send(data);
    this.#connection.write(data);
    if (this.#traceSink) this.#trace({ type: "wrote", data, messages: 1 });
  }

  /**
   * Bytes accepted by `send` that have not gone to the operating system yet;
   * a fast sender waits on `flushed()` when this grows, so memory stays bounded.
   */
  get bufferedBytes(): number {
    return this.#connection.bufferedBytes + (this.#pieces?.bufferedBytes ?? 0);
  }

  /** Whether messages leave in pieces with pauses ({@linkcode ConnectOptions.pieces}), so sending one takes a while. */
  get sendsInPieces(): boolean {
    return this.#pieces !== undefined;
  }

  /** Messages that have arrived and wait to be taken by `receive`. */
  get waiting(): number {
    return this.#inbox.length;
  }

  /** Bytes received of a message that is not complete yet. */
  get partialBytes(): number {
    return this.#decoder.pendingBytes;
  }

  /** Resolves when everything sent so far has gone to the operating system. */
  flushed(): Promise<void> {
    if (this.#pieces) return this.#pieces.idle().then(() => this.#connection.flushed());
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
    if (this.#finSent || this.#closed) return Promise.resolve();
    this.#finSent = true;
    const sendFin = (): Promise<void> => {
      if (this.#closed) return Promise.resolve();
      this.#trace({ type: "fin-sent" });
      return this.#connection.closeWrite();
    };
    // Pieces still to go leave before the FIN.
    return this.#pieces ? this.#pieces.idle().then(sendFin) : sendFin();
  }

  /**
   * Ends the conversation without resetting the server: half-closes, takes
   * what the server still sends until its FIN, then closes. Closing with
   * bytes unread, or before the server is done sending, makes this end's
   * system answer with RST, which a server sees as a connection reset.
   * @param options How long to wait, and who sees the messages that arrive.
   * @returns `"fin"` when the server closed its side too; `"quiet"` when
   *   nothing came for `quietMs` and this end closed first; `"busy"` when the
   *   server was still sending after `maxMs`.
   * @throws {NetError} the connection's failure, such as `CONNECTION_RESET`; it is closed.
   */
  async finish(options: FinishOptions = {}): Promise<"fin" | "quiet" | "busy"> {
    const quietMs = options.quietMs ?? FIN_GRACE_MS;
    const maxMs = options.maxMs ?? 5000;
    const stopAt = Date.now() + maxMs;
    try {
      await this.end();
      for (;;) {
        const left = stopAt - Date.now();
        if (left <= 0) {
          this.close(`still sending ${maxMs} ms after our FIN`);
          return "busy";
        }
        let message: Message | null;
        try {
          message = await this.receive(Math.min(quietMs, left));
        } catch (error) {
          if (!(error instanceof NetError) || error.code !== "TIMED_OUT") throw error;
          if (quietMs > left) continue;
          this.close(`no FIN within ${quietMs} ms of its last message or ours`);
          return "quiet";
        }
        if (message === null) return "fin";
        options.onMessage?.(message);
      }
    } finally {
      this.close();
    }
  }

  /**
   * Closes both directions now.
   * @param reason Why, when the server may still be sending: the trace says so,
   *   since what it sends from then on is answered with RST.
   */
  close(reason?: string): void {
    if (this.#closed) return;
    if (!this.#ended) this.#closedEarly = reason ?? "closed by this end first";
    this.#pieces?.stop();
    this.#connection.close();
  }

  #onData(chunk: Uint8Array): void | Promise<void> {
    if (this.#firstChunk) {
      this.#firstChunk = false;
      if (!this.tls && startsWithTlsRecord(chunk)) return this.#spokeTls(chunk);
    }
    const before = this.#inbox.length;
    try {
      this.#decoder.push(chunk, (frame) => this.#inbox.push(new Message(frame)));
    } catch (error) {
      this.#error = error as Error;
      this.close(this.#error.message);
    }
    if (this.#traceSink) {
      this.#trace({ type: "read", data: chunk, messages: this.#inbox.length - before });
    }
    this.#arrivals.release();
    if (this.#inbox.length >= INBOX_HIGH_WATER) return this.#room.wait();
  }

  // Its alert would otherwise be shown as a garbled reply, and the student left guessing.
  #spokeTls(chunk: Uint8Array): void {
    if (this.#traceSink) this.#trace({ type: "read", data: chunk, messages: 0 });
    this.#error = new NetError(
      "TLS_HANDSHAKE_FAILED",
      "the server speaks TLS: it answered with a TLS record",
      { operation: "receive", address: this.remoteAddress },
    );
    this.close(this.#error.message);
    this.#arrivals.release();
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
    this.#pieces?.stop();
    if (!this.#ended) this.#onEnd();
    if (error) this.#error ??= error;
    const early = this.#closedEarly;
    this.#trace(early === undefined ? { type: "closed", error } : { type: "closed", error, early });
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
 * import { connect, serve } from "../../mod.ts";
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
  const connection = await openTcp(options);
  return new Connection(connection, framing, options.trace, await tlsSession(connection), options);
}

/** What TLS negotiated on a connection from {@linkcode openTcp}; undefined for plain TCP. */
export async function tlsSession(connection: TcpConnection): Promise<TlsSession | undefined> {
  if (!("tlsVersion" in connection)) return undefined;
  const { tlsVersion, peerCertificate } = connection as TlsConnection;
  return { version: tlsVersion, fingerprint: await certificateFingerprint(peerCertificate) };
}

/**
 * Opens a TCP connection as a raw byte stream, with no framing: what a
 * throughput run writes and reads in large blocks. `connect` starts here too,
 * so both fail the same way.
 * @throws {NetError} as {@linkcode connect} does.
 */
export async function openTcp(
  options: Pick<ConnectOptions, "host" | "port" | "timeoutMs" | "tls">,
): Promise<TcpConnection> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const hostname = await resolveHost(options.host ?? "127.0.0.1");
  const address = { hostname, port: options.port };
  const { tls } = options;
  const connecting = tls
    ? runtime.connectTls(address, {
      serverName: tls.serverName ?? options.host ?? hostname,
      caCertificates: tls.ca,
    })
    : runtime.connectTcp(address);
  const connection = await deadline(connecting, timeoutMs, () => {
    // A connection that completes after we gave up must not linger.
    connecting.then((late) => late.close(), () => {});
    // A plain server takes the ClientHello as the start of a line and waits for the rest.
    return tls
      ? new NetError("TLS_HANDSHAKE_FAILED", `no TLS handshake within ${timeoutMs} ms`, {
        operation: "connect",
        address,
      })
      : new NetError("TIMED_OUT", `no answer within ${timeoutMs} ms`, {
        operation: "connect",
        address,
      });
  });
  if (tls) await verifyServerCertificate(connection as TlsConnection, tls, address);
  return connection;
}
