import { type CidrRange, isPeerAllowed } from "../address/mod.ts";
import { settlesWithin } from "../async/mod.ts";
import { equalBytes, noticeBytes, secondsText } from "../bytes/mod.ts";
import { resolveHost } from "../discovery/mod.ts";
import {
  createFraming,
  DEFAULT_MAX_FRAME_BYTES,
  type Framing,
  type FramingName,
} from "../framing/mod.ts";
import {
  asError,
  type Client,
  type MessageHandler,
  type Payload,
  type RefusalCode,
  type TraceSink,
} from "../message/mod.ts";
import {
  runtime,
  type SocketAddress,
  type TcpConnection,
  type TcpListener,
  type TlsServerOptions,
} from "../net/mod.ts";
import type { ByteService } from "./byte_service.ts";
import type { WriteDelay } from "./delayed_connection.ts";
import { IdleSweeper } from "./idle_sweeper.ts";
import { ReadConsequences } from "./read_consequences.ts";
import { ReaderCongestion } from "./reader_congestion.ts";
import { type ClientHost, ServedClient, type TrafficCounters } from "./served_client.ts";
import type { ServerStats } from "./server_stats.ts";

export type { Client, MessageHandler, RefusalCode, Reply } from "../message/mod.ts";
export type { ByteService } from "./byte_service.ts";
export type { ServerStats } from "./server_stats.ts";

// Defaults of the ServeOptions of the same names, which say why each exists.
const SHUTDOWN_GRACE_MS = 800;
const REFUSAL_GRACE_MS = 2000;
const READER_STALL_MS = 5000;
const LINGER_MS = 2000;
/** Default bound on what may wait for one client that is not reading: 1 MiB. */
export const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;

type ConnectionEnds = {
  readonly localAddress: SocketAddress;
  readonly remoteAddress: SocketAddress;
};

interface Refusal {
  readonly code: RefusalCode;
  readonly reason: string;
  /** A line sent to the client before closing; a denied peer is told nothing. */
  readonly notice?: string;
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
  /** Most clients at once; past it a new client is told the server is full and closed. */
  maxConnections?: number;
  /** A client that completes no message for this long is told so and closed. */
  idleTimeoutMs?: number;
  /** Only peers in these ranges may connect (all, when empty). */
  allow?: readonly CidrRange[];
  /** Peers in these ranges are closed at once, even when allowed. */
  deny?: readonly CidrRange[];
  /** Most bytes that may wait for a client that is not reading. @default {1048576} */
  maxQueuedBytes?: number;
  /**
   * Speak TLS with this certificate and key. Clients count as connected once
   * their handshake is done; a failed one reaches `onError` without a client.
   */
  tls?: TlsServerOptions;
  /**
   * Serves clients as raw byte streams instead (discard, chargen): no framing,
   * and the handler is never called.
   */
  bytes?: ByteService;
  /** A client connected (before its first message). */
  onConnect?(client: Client): void;
  /** A client left; `error` says why when it did not leave cleanly. */
  onDisconnect?(client: Client, error?: Error): void;
  /** A connection was turned away (full, denied); `reason` is one line, `code` says which. */
  onRefuse?(remote: SocketAddress, reason: string, code: RefusalCode): void;
  /**
   * Something went wrong with one client (bad framing, a handler that threw);
   * the server goes on. Without it such errors are dropped silently.
   */
  onError?(error: Error, client?: Client): void;
  /** Sees every connection event and every byte, for narration and hex views. */
  trace?: TraceSink;
  /**
   * Leave Nagle's algorithm on: small replies wait while earlier data is
   * unacknowledged and leave joined. Off by default (TCP_NODELAY). @default {false}
   */
  nagle?: boolean;
  /**
   * Hold everything written to a client this long before writing it: latency
   * without loss. Replies keep their order, and held ones count as queued for
   * backpressure, so a client that sends without reading cannot grow memory.
   */
  replyDelay?: WriteDelay;
  /**
   * Words an error for the `error:` line a client is sent (a message too
   * large, a handler that threw). @default {error.message}
   */
  describeError?(error: Error): string;
  /**
   * A client that others' messages (chat) wait for and that takes no byte for
   * this long has stopped reading: it is disconnected so the others can go on.
   * @default {5000}
   */
  readerStallMs?: number;
  /**
   * How long a closing connection waits for the client to take a byte of what
   * is queued, and then for its FIN, before closing anyway. @default {2000}
   */
  lingerMs?: number;
  /**
   * How long a client turned away as the server is full gets to read why
   * before it is cut off. @default {2000}
   */
  refusalGraceMs?: number;
  /** How long `close()` lets connections flush before cutting them off. @default {800} */
  shutdownGraceMs?: number;
}

/** A running TCP server. */
export interface Server {
  /** Where it listens, with the real port. */
  readonly address: SocketAddress;
  /** The wire format clients must speak, with its `maxFrameBytes`. */
  readonly framing: Framing;
  /** The clients connected now. */
  readonly clients: ReadonlySet<Client>;
  /** Counters since the server started, updated as it runs. */
  readonly stats: Readonly<ServerStats>;
  /** Stops accepting, flushes and closes every connection, resolves when all are closed. */
  close(): Promise<void>;
}

class TcpServer implements Server, ClientHost {
  // The fields every message reads come first, so that they share the
  // object's first cache line (see ServedClient).
  readonly stats: ServerStats = {
    connections: 0,
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    refused: 0,
  };
  readonly counters: TrafficCounters = this.stats;
  readonly bytes: ByteService | undefined;
  readonly trace: TraceSink | undefined;
  readonly congestion: ReaderCongestion<ServedClient>;
  readonly #idle: IdleSweeper<ServedClient> | undefined;
  readonly framing: Framing;
  readonly handler: MessageHandler;
  readonly options: ServeOptions;
  readonly maxQueuedBytes: number;
  readonly nagle: boolean;
  readonly replyDelay: WriteDelay | undefined;
  readonly lingerMs: number;
  readonly readConsequences = new ReadConsequences();
  readonly clients = new Set<ServedClient>();
  #listener: TcpListener | undefined;
  #closing: Promise<void> | undefined;
  // The last payload sent with Client.send and its frame: a chat line sent to
  // every member is framed once and queued for all as one shared buffer,
  // where a copy per member made a join storm cost memory quadratic in members.
  #lastSent: { payload: Payload; copy: Payload; frame: Uint8Array } | undefined;

  constructor(options: ServeOptions, handler: MessageHandler) {
    this.options = options;
    this.handler = handler;
    this.trace = options.trace;
    this.bytes = options.bytes;
    this.nagle = options.nagle ?? false;
    this.replyDelay = options.replyDelay;
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.lingerMs = options.lingerMs ?? LINGER_MS;
    const stallMs = options.readerStallMs ?? READER_STALL_MS;
    this.congestion = new ReaderCongestion<ServedClient>(stallMs, (client) => {
      client.dropAsNotReading(`nothing taken for ${secondsText(stallMs)} while others wait`);
    });
    this.framing = createFraming(
      options.framing ?? "line",
      options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    );
    const idleMs = options.idleTimeoutMs;
    if (idleMs !== undefined) {
      const idle = `idle for ${secondsText(idleMs)} without a complete message`;
      this.#idle = new IdleSweeper(idleMs, (client) => {
        this.reportError(new Error(idle), client);
        void client.closeWithNotice(`${idle}; closing`);
      });
    }
  }

  get address(): SocketAddress {
    return this.#listener!.address;
  }

  async listen(): Promise<void> {
    const hostname = await resolveHost(this.options.host ?? "127.0.0.1");
    this.#listener = await runtime.listenTcp({
      hostname,
      port: this.options.port ?? 0,
      tls: this.options.tls,
      // A client still shaking hands holds a descriptor as surely as one connected.
      handshakeTimeoutMs: this.options.idleTimeoutMs,
      admitHandshake: (ends, handshaking) => this.#admitHandshake(ends, handshaking),
      onConnection: (connection) => this.#accept(connection),
      onAcceptError: (error) => this.reportError(error),
    });
  }

  #accept(connection: TcpConnection): void {
    if (this.#closing) {
      connection.close();
      return;
    }
    const refusal = this.#refusal(connection.remoteAddress);
    if (refusal) {
      this.#refuse(connection, refusal);
      return;
    }
    const client = new ServedClient(++this.stats.connections, connection, this);
    this.clients.add(client);
    this.#idle?.add(client);
    client.start();
    try {
      this.options.onConnect?.(client);
    } catch (error) {
      // A hook that throws costs its own connection, never the server.
      this.reportError(asError(error), client);
      client.forceClose();
    }
  }

  // Before a TLS handshake there is no way to tell a full server's client
  // why in words it can read, so it is closed at once, as a denied one is.
  #admitHandshake(ends: ConnectionEnds, handshaking: number): boolean {
    if (this.#closing) return false;
    const refusal = this.#refusal(ends.remoteAddress, handshaking);
    if (!refusal) return true;
    this.#logRefusal(ends, refusal);
    return false;
  }

  encodeShared(payload: Payload): Uint8Array {
    const last = this.#lastSent;
    // Compared by content too: a caller may refill the same array between sends.
    if (last && last.payload === payload && sameContent(payload, last.copy)) return last.frame;
    const frame = this.framing.encode(payload);
    const copy = typeof payload === "string" ? payload : payload.slice();
    this.#lastSent = { payload, copy, frame };
    return frame;
  }

  /** `handshaking`: other clients still in the TLS handshake, who count as connected. */
  #refusal(remote: SocketAddress, handshaking = 0): Refusal | undefined {
    const { allow = [], deny = [], maxConnections } = this.options;
    if (!isPeerAllowed(remote.hostname, allow, deny)) {
      return { code: "NOT_ALLOWED", reason: "not allowed by the allow and deny lists" };
    }
    if (maxConnections !== undefined && this.clients.size + handshaking >= maxConnections) {
      const clients = `${maxConnections} ${maxConnections === 1 ? "client" : "clients"}`;
      return {
        code: "SERVER_FULL",
        reason: handshaking > 0
          ? `server full (${clients}, counting ${handshaking} in the TLS handshake)`
          : `server full (${clients})`,
        notice: `error: server full (${clients} connected); try again later`,
      };
    }
    return undefined;
  }

  // Denied peers get nothing; a full server says so first, then waits for the
  // client to close (or a grace period) so the notice is not lost to a reset.
  #refuse(connection: TcpConnection, refusal: Refusal): void {
    this.#logRefusal(connection, refusal);
    if (!refusal.notice) {
      connection.close();
      return;
    }
    const timer = setTimeout(
      () => connection.close(),
      this.options.refusalGraceMs ?? REFUSAL_GRACE_MS,
    );
    connection.start({
      data: () => {},
      end: () => connection.close(),
      close: () => clearTimeout(timer),
    });
    // Cut to fit: a notice longer than the frame limit must not cost more than this one connection.
    connection.write(this.framing.encode(noticeBytes(refusal.notice, this.framing.maxFrameBytes)));
    void connection.closeWrite();
  }

  #logRefusal(ends: ConnectionEnds, refusal: Refusal): void {
    this.stats.refused++;
    this.options.onRefuse?.(ends.remoteAddress, refusal.reason, refusal.code);
    this.trace?.({ type: "refused", reason: refusal.reason, code: refusal.code }, {
      protocol: "tcp",
      local: ends.localAddress,
      remote: ends.remoteAddress,
    });
  }

  get watchesIdle(): boolean {
    return this.#idle !== undefined;
  }

  touch(client: ServedClient): void {
    this.#idle?.touch(client);
  }

  forget(client: ServedClient, error?: Error): void {
    if (!this.clients.delete(client)) return;
    this.#idle?.delete(client);
    this.options.onDisconnect?.(client, error);
  }

  describe(error: Error): string {
    return this.options.describeError?.(error) ?? error.message;
  }

  reportError(error: Error, client?: Client): void {
    this.options.onError?.(error, client);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    this.#idle?.stop();
    this.congestion.stop();
    // Awaited so that once close() resolves the port can be listened on again.
    const released = this.#listener?.close();
    const clients = [...this.clients];
    const graceful = Promise.all(clients.map((client) => client.close()));
    await settlesWithin(graceful, this.options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS);
    // Clients that would not take their data in time are cut off.
    for (const client of this.clients) client.forceClose();
    await Promise.all(clients.map((client) => client.closed));
    await released;
  }
}

function sameContent(a: Payload, b: Payload): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  return equalBytes(a, b);
}

/**
 * Starts a TCP server that answers each framed message with what `handler` returns.
 *
 * @param options Where to listen, how messages are framed, and the server's limits.
 * @param handler Called once per message, in order per client.
 * @returns The running server, once it listens.
 * @throws {NetError} `ADDRESS_IN_USE`, `ADDRESS_NOT_AVAILABLE`, `HOST_NOT_FOUND`, `PERMISSION_DENIED`.
 * @example
 * ```ts
 * import { serve } from "../../mod.ts";
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
