import { type CidrRange, isIpv6, isPeerAllowed } from "../address/mod.ts";
import { Waiters } from "../async/mod.ts";
import { noticeBytes } from "../bytes/mod.ts";
import { resolveHost } from "../discovery/mod.ts";
import {
  asError,
  Message,
  type Payload,
  type Peer,
  type PeerHandler,
  type RefusalCode,
  type Reply,
  toBytes,
  type TraceSink,
} from "../message/mod.ts";
import { NetError, runtime, type SocketAddress, type UdpSocket } from "../net/mod.ts";
import { AmplificationLimit } from "./amplification_limit.ts";

export type { Peer, PeerHandler } from "../message/mod.ts";

/** Largest UDP payload over IPv4: 65,535 minus the 20-byte IP and 8-byte UDP headers. */
export const MAX_UDP_PAYLOAD_IPV4 = 65507;
/** Largest UDP payload over IPv6 without jumbograms: 65,535 minus the 8-byte UDP header. */
export const MAX_UDP_PAYLOAD_IPV6 = 65527;
/** Default largest datagram socklab sends or answers: 64 KiB, capped by the IP version. */
export const DEFAULT_MAX_DATAGRAM_BYTES = 65536;

// Unread datagrams beyond this are dropped (and counted), as a full socket buffer would.
const INBOX_LIMIT = 4096;

/** One received datagram and who sent it. */
export interface Datagram {
  /** The payload: one datagram is always one whole message. */
  readonly message: Message;
  /** The sender's IP address and port; send to it to reply. */
  readonly from: SocketAddress;
}

/** Counters an endpoint keeps. */
export interface UdpStats {
  /** Datagrams received, those later dropped, refused or oversized included. */
  datagramsIn: number;
  /** Payload bytes received. */
  bytesIn: number;
  /** Datagrams handed to the socket to send. */
  datagramsOut: number;
  /** Payload bytes handed to the socket to send. */
  bytesOut: number;
  /** Datagrams dropped because nobody read them in time. */
  dropped: number;
  /**
   * Errors survived: asynchronous ones such as ICMP port unreachable, and a
   * server's handlers that threw and replies it could not send.
   */
  errors: number;
  /** Datagrams a server did not answer because the allow and deny lists refuse their sender. */
  refused: number;
  /** Datagrams a server did not answer because they were over `maxDatagramBytes`. */
  oversized: number;
  /**
   * Replies a server did not send because they would have sent their address
   * more than three times the bytes it sent (RFC 9000 section 8).
   */
  amplifying: number;
}

/**
 * Stands between an endpoint and its socket to lose, delay, duplicate or
 * reorder datagrams on purpose (`udp.ts --drop`, `--delay`, `--dup`,
 * `--reorder`), as `tc netem` would on the network but without root.
 */
export interface DatagramFaults {
  /**
   * Called once, as the endpoint starts: `local` is where it is bound, and
   * `transmit` puts one datagram on the wire (counted and traced then).
   */
  start(local: SocketAddress, transmit: (data: Uint8Array, to: SocketAddress) => void): void;
  /** Takes each datagram the endpoint sends instead of the socket: transmit it now, later, twice or never. */
  outgoing(data: Uint8Array, to: SocketAddress): void;
  /** Sees each datagram received, after it is counted and traced; `false` drops it. */
  incoming(data: Uint8Array, from: SocketAddress): boolean;
  /** The endpoint closed: whatever is still held back is never sent. */
  close(): void;
}

/** Options for {@linkcode bindUdp}. */
export interface UdpOptions {
  /** Local address; a host name is resolved once, before binding. @default {"127.0.0.1"} */
  host?: string;
  /** Local port; 0 picks a free one. @default {0} */
  port?: number;
  /** Largest datagram sent. @default {65536, capped at 65507 on IPv4} */
  maxDatagramBytes?: number;
  /** Called for each datagram; when set, datagrams are not queued for `receive`. */
  onDatagram?(datagram: Datagram, endpoint: UdpEndpoint): void;
  /** An error the socket survived (an ICMP port unreachable, for example). */
  onError?(error: Error): void;
  /** Sees every datagram in and out, for narration and hex views. */
  trace?: TraceSink;
  /** Faults to inject into what is sent and received; none when unset. */
  faults?: DatagramFaults;
  /**
   * Datagrams the `faults` leave alone, both ways: a measuring protocol's own
   * control messages (a bench's stream requests and reports), which iperf3
   * sends over TCP, so that `--drop 80` measures the data, not a lost start.
   */
  spareFromFaults?(data: Uint8Array): boolean;
  /**
   * The receive buffer (SO_RCVBUF) to ask the system for, in bytes, so that
   * bursts wait in it instead of being dropped while this program is busy;
   * the system's default when unset. Linux caps it at `net.core.rmem_max`.
   */
  receiveBufferBytes?: number;
}

/** Options for {@linkcode serveUdp}: those of {@linkcode bindUdp}, and the server's rules. */
export interface ServeUdpOptions extends Omit<UdpOptions, "onDatagram" | "onError"> {
  /**
   * Largest datagram answered, and largest reply sent: a larger datagram is
   * counted and not answered (see `onOversized`).
   * @default {65536, capped at 65507 on IPv4}
   */
  maxDatagramBytes?: number;
  /** Only peers in these ranges are answered (all, when empty). */
  allow?: readonly CidrRange[];
  /** Peers in these ranges are never answered, even when allowed. */
  deny?: readonly CidrRange[];
  /**
   * A datagram was not answered because of its sender; `reason` is one line,
   * `code` says which rule. UDP has no connection to close, so this is called
   * for every such datagram.
   */
  onRefuse?(remote: SocketAddress, reason: string, code: RefusalCode): void;
  /** A datagram of `bytes` bytes, over the `limit` of `maxDatagramBytes`, was not answered. */
  onOversized?(remote: SocketAddress, bytes: number, limit: number): void;
  /**
   * A reply of `bytes` bytes to `remote` was not sent: it would have sent that
   * address more than three times the payload bytes it has sent (RFC 9000
   * section 8), a forged source address's victim included; `credit` is what
   * it had left.
   */
  onAmplifying?(remote: SocketAddress, bytes: number, credit: number): void;
  /**
   * Sends no address more than three times the payload bytes it sent (RFC
   * 9000 section 8), error datagrams cut to fit: what a server reachable by
   * forged source addresses needs (`udp.ts server` turns it on).
   * @default {false}
   */
  limitAmplification?: boolean;
  /**
   * Something went wrong and the server goes on: a handler that threw (its
   * peer is answered with an `error:` datagram), a reply too large to send, or
   * an error the socket survived (an ICMP port unreachable, with no `peer`).
   */
  onError?(error: Error, peer?: Peer): void;
  /**
   * Words an error for the `error:` datagram a peer is sent when the handler
   * throws. @default {error.message}
   */
  describeError?(error: Error): string;
}

/** A bound UDP socket that sends and receives whole datagrams. */
export class UdpEndpoint {
  /** Counters since the socket was bound, updated as it runs. */
  readonly stats: UdpStats = {
    datagramsIn: 0,
    bytesIn: 0,
    datagramsOut: 0,
    bytesOut: 0,
    dropped: 0,
    errors: 0,
    refused: 0,
    oversized: 0,
    amplifying: 0,
  };
  /**
   * Largest datagram `send` accepts, before the cap for the destination's IP
   * version (see `limitFor`); a server answers none larger.
   */
  readonly maxDatagramBytes: number;
  /** Where the socket is bound, with the real port. */
  readonly localAddress: SocketAddress;
  readonly #socket: UdpSocket;
  readonly #options: UdpOptions & ServeUdpOptions;
  readonly #handler: PeerHandler | undefined;
  readonly #allow: readonly CidrRange[];
  readonly #deny: readonly CidrRange[];
  readonly #trace: TraceSink | undefined;
  readonly #faults: DatagramFaults | undefined;
  // A server's replies only: a client's requests amplify nothing.
  readonly #amplification: AmplificationLimit | undefined;
  // Addresses that proved they receive where they say (see validated()), by host then port, counted.
  readonly #validated = new Map<string, Map<number, number>>();
  readonly #inbox: Datagram[] = [];
  readonly #arrivals = new Waiters();
  #closed = false;

  /**
   * @internal Use {@linkcode bindUdp} or {@linkcode serveUdp}. Starts
   * `socket`; with a `handler`, answers each datagram as `serveUdp` describes.
   */
  constructor(socket: UdpSocket, options: UdpOptions & ServeUdpOptions, handler?: PeerHandler) {
    this.#socket = socket;
    this.#options = options;
    this.#handler = handler;
    this.#allow = options.allow ?? [];
    this.#deny = options.deny ?? [];
    this.#trace = options.trace;
    this.maxDatagramBytes = options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
    this.localAddress = socket.localAddress;
    this.#faults = options.faults;
    this.#amplification = handler && options.limitAmplification
      ? new AmplificationLimit()
      : undefined;
    this.#faults?.start(this.localAddress, (data, to) => this.#transmit(data, to));
    socket.start({
      message: (data, from) => this.#deliver(data, from),
      error: (error) => this.#survived(error),
    });
  }

  #deliver(data: Uint8Array, from: SocketAddress): void {
    this.#trace?.({ type: "datagram-in", data }, {
      protocol: "udp",
      local: this.localAddress,
      remote: from,
    });
    this.stats.datagramsIn++;
    this.stats.bytesIn += data.length;
    if (
      this.#faults !== undefined && !this.#options.spareFromFaults?.(data)
      && !this.#faults.incoming(data, from)
    ) {
      return;
    }
    if (this.#handler) {
      this.#answer(this.#handler, data, from);
      return;
    }
    const datagram = { message: new Message(data), from };
    if (this.#options.onDatagram) {
      this.#options.onDatagram(datagram, this);
      return;
    }
    if (this.#inbox.length >= INBOX_LIMIT) {
      this.stats.dropped++;
      return;
    }
    this.#inbox.push(datagram);
    this.#arrivals.release();
  }

  // The server's path, run for every datagram: the common case (no lists, a
  // datagram within the limit, a plain reply) allocates only the message and
  // the peer.
  #answer(handler: PeerHandler, data: Uint8Array, from: SocketAddress): void {
    if (!isPeerAllowed(from.hostname, this.#allow, this.#deny)) {
      this.#refuse(from);
      return;
    }
    this.#amplification?.received(from.hostname, data.length);
    if (data.length > this.maxDatagramBytes) {
      this.stats.oversized++;
      this.#options.onOversized?.(from, data.length, this.maxDatagramBytes);
      return;
    }
    const peer: Peer = { remoteAddress: from, localAddress: this.localAddress };
    let reply: Reply | Promise<Reply>;
    try {
      reply = handler(new Message(data), peer);
    } catch (error) {
      this.#handlerFailed(error, peer);
      return;
    }
    if (reply === undefined || reply === null) return;
    if (reply instanceof Promise) {
      // Both outcomes are handled here, so a handler's rejection is never left unhandled.
      void reply.then(
        (value) => this.#reply(value, peer),
        (error) => this.#handlerFailed(error, peer),
      );
      return;
    }
    this.#reply(reply, peer);
  }

  #refuse(from: SocketAddress): void {
    const reason = "not allowed by the allow and deny lists";
    this.stats.refused++;
    this.#options.onRefuse?.(from, reason, "NOT_ALLOWED");
    this.#trace?.({ type: "refused", reason, code: "NOT_ALLOWED" }, {
      protocol: "udp",
      local: this.localAddress,
      remote: from,
    });
  }

  // A reply that cannot be sent (too large, say) costs that reply only.
  #reply(reply: Reply, peer: Peer): void {
    if (reply === undefined || reply === null || this.#closed) return;
    try {
      this.send(reply, peer.remoteAddress);
    } catch (error) {
      this.#survived(asError(error), peer);
    }
  }

  // As on TCP, a handler's failure is answered with an `error:` datagram,
  // cut to what may be sent to that peer; the server goes on.
  #handlerFailed(thrown: unknown, peer: Peer): void {
    const failure = asError(thrown);
    this.#survived(failure, peer);
    if (this.#closed) return;
    const to = peer.remoteAddress;
    // Cut to what the peer's own bytes allow, so a bad request cannot amplify either.
    const room = Math.min(
      this.limitFor(to),
      this.#amplification?.creditOf(to.hostname) ?? Infinity,
    );
    this.send(noticeBytes(`error: ${this.#describe(failure)}`, room), to);
  }

  #describe(error: Error): string {
    try {
      return this.#options.describeError?.(error) ?? error.message;
    } catch {
      // A describeError that fails must not leave the peer without an answer.
      return error.message;
    }
  }

  #survived(error: Error, peer?: Peer): void {
    this.stats.errors++;
    this.#options.onError?.(error, peer);
  }

  /**
   * The largest datagram `send` accepts for `to`: `maxDatagramBytes`, capped
   * by what one UDP datagram can carry over the IP version of `to`.
   */
  limitFor(to: SocketAddress): number {
    return Math.min(
      this.maxDatagramBytes,
      isIpv6(to.hostname) ? MAX_UDP_PAYLOAD_IPV6 : MAX_UDP_PAYLOAD_IPV4,
    );
  }

  /**
   * Sends `payload` as one datagram to `to`, an IP literal (see `resolveHost`);
   * with the `faults` option, when and how often they decide. A datagram the
   * system has no room for yet waits its turn (see `queuedDatagrams`), so
   * bytes given here must not change afterwards.
   * @throws {NetError} `MESSAGE_TOO_LARGE` before sending anything when it does not fit.
   */
  send(payload: Payload, to: SocketAddress): void {
    const bytes = toBytes(payload);
    const limit = this.limitFor(to);
    if (bytes.length > limit) {
      throw new NetError(
        "MESSAGE_TOO_LARGE",
        `datagram of ${bytes.length} bytes exceeds the limit of ${limit} bytes`,
        { operation: "send", address: to },
      );
    }
    if (this.#faults === undefined || this.#options.spareFromFaults?.(bytes)) {
      this.#transmit(bytes, to);
    } else this.#faults.outgoing(bytes, to);
  }

  // What leaves for the wire, faults or not: counted and traced only here, so
  // a datagram a fault dropped is never shown going out.
  #transmit(bytes: Uint8Array, to: SocketAddress): void {
    // Checked here, after the faults, so a duplicate or an error counts too.
    if (
      this.#amplification && !this.#isValidated(to)
      && !this.#amplification.spend(to.hostname, bytes.length)
    ) {
      this.stats.amplifying++;
      this.#options.onAmplifying?.(to, bytes.length, this.#amplification.creditOf(to.hostname));
      return;
    }
    this.stats.datagramsOut++;
    this.stats.bytesOut += bytes.length;
    this.#socket.send(bytes, to);
    this.#trace?.({ type: "datagram-out", data: bytes }, {
      protocol: "udp",
      local: this.localAddress,
      remote: to,
    });
  }

  #isValidated(to: SocketAddress): boolean {
    return this.#validated.size > 0
      && (this.#validated.get(to.hostname)?.get(to.port) ?? 0) > 0;
  }

  /**
   * Exempts what is sent to `to` from the amplification limit until the
   * returned function is called: for an address that has shown it receives
   * there, as by sending back a cookie this server sent it (RFC 9000 section
   * 8.1), which a forged source address cannot do.
   */
  validated(to: SocketAddress): () => void {
    let ports = this.#validated.get(to.hostname);
    if (!ports) this.#validated.set(to.hostname, ports = new Map());
    ports.set(to.port, (ports.get(to.port) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (ports.get(to.port) ?? 1) - 1;
      if (left > 0) ports.set(to.port, left);
      else ports.delete(to.port);
      if (ports.size === 0) this.#validated.delete(to.hostname);
    };
  }

  /**
   * Returns the next datagram, or `null` if the endpoint closed.
   * @throws {NetError} `TIMED_OUT` when none came within `timeoutMs`.
   */
  async receive(timeoutMs?: number): Promise<Datagram | null> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    for (;;) {
      const datagram = this.#inbox.shift();
      if (datagram) return datagram;
      if (this.#closed) return null;
      await this.#arrivals.waitBefore(
        deadline,
        () =>
          new NetError("TIMED_OUT", `no datagram within ${timeoutMs} ms`, { operation: "receive" }),
      );
    }
  }

  /**
   * Datagrams sent that the system has not taken yet: its send buffer was
   * full, as when the link is slower than the sender. They go out in order.
   */
  get queuedDatagrams(): number {
    return this.#socket.queuedDatagrams;
  }

  /** Resolves once every datagram sent so far has gone to the system, or failed. */
  flushed(): Promise<void> {
    return this.#socket.flushed();
  }

  /**
   * The receive buffer the system reports after `receiveBufferBytes` was asked
   * for (Linux reports twice what it grants); undefined when not asked for, or
   * where it could not be (not Linux; on Deno, no `ffi` permission for the C library).
   */
  get receiveBufferBytes(): number | undefined {
    return this.#socket.receiveBufferBytes;
  }

  /**
   * Closes the socket; pending `receive` calls return `null`. Resolves once
   * the port is free to bind again; callers that do not rebind need not wait.
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#faults?.close();
      this.#arrivals.release();
    }
    return this.#socket.close();
  }
}

// Binds where `options` say, checking the limit first so a bad one binds nothing.
async function bindSocket(options: UdpOptions): Promise<UdpSocket> {
  const maxDatagramBytes = options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
  if (!Number.isInteger(maxDatagramBytes) || maxDatagramBytes < 1) {
    throw new RangeError(
      `Cannot bind as 'maxDatagramBytes' must be a positive integer: current value is ${maxDatagramBytes}`,
    );
  }
  // The one place a UDP endpoint's host name is resolved.
  const hostname = await resolveHost(options.host ?? "127.0.0.1");
  return await runtime.bindUdp({
    hostname,
    port: options.port ?? 0,
    receiveBufferBytes: options.receiveBufferBytes,
  });
}

/**
 * Binds a UDP socket.
 *
 * @param options Local address and limits.
 * @returns The bound endpoint.
 * @throws {RangeError} when `maxDatagramBytes` is not a positive integer.
 * @throws {NetError} `ADDRESS_IN_USE`, `ADDRESS_NOT_AVAILABLE`, `HOST_NOT_FOUND`.
 * @example
 * ```ts
 * import { bindUdp } from "../../mod.ts";
 * const a = await bindUdp({});
 * const b = await bindUdp({});
 * a.send("ping", b.localAddress);
 * const got = await b.receive(1000);
 * if (got?.message.text !== "ping") throw new Error("lost");
 * a.close();
 * b.close();
 * ```
 */
export async function bindUdp(options: UdpOptions): Promise<UdpEndpoint> {
  return new UdpEndpoint(await bindSocket(options), options);
}

/**
 * Binds a UDP socket that answers every datagram to its sender with what
 * `handler` returns; many peers at once, each answered separately. Datagrams
 * from peers the `allow` and `deny` lists refuse, and datagrams over
 * `maxDatagramBytes`, are counted and not answered. A handler that throws (or
 * rejects) is answered with an `error:` datagram, as a TCP client is.
 *
 * @param options Local address, limits, allow and deny lists, and hooks.
 * @param handler Called once per datagram answered; may be async, and then
 *   replies go out as they are ready, not necessarily in arrival order.
 * @returns The bound endpoint, answering.
 * @throws {RangeError} when `maxDatagramBytes` is not a positive integer.
 * @throws {NetError} `ADDRESS_IN_USE`, `ADDRESS_NOT_AVAILABLE`, `HOST_NOT_FOUND`.
 * @example
 * ```ts
 * import { bindUdp, serveUdp } from "../../mod.ts";
 * const server = await serveUdp({}, (message) => message.text.toUpperCase());
 * const client = await bindUdp({});
 * client.send("hi", server.localAddress);
 * if ((await client.receive(1000))?.message.text !== "HI") throw new Error("no reply");
 * client.close();
 * server.close();
 * ```
 */
export async function serveUdp(
  options: ServeUdpOptions,
  handler: PeerHandler,
): Promise<UdpEndpoint> {
  return new UdpEndpoint(await bindSocket(options), options, handler);
}
