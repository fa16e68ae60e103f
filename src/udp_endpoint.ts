import { isIpv6, resolveHost } from "./address.ts";
import { asError } from "./as_error.ts";
import type { Reply } from "./handler.ts";
import { Message, type Payload, toBytes } from "./message.ts";
import { NetError } from "./net/net_error.ts";
import { runtime } from "./net/runtime.ts";
import type { SocketAddress, UdpSocket } from "./net/types.ts";
import { Waiters } from "./net/waiters.ts";
import type { TraceSink } from "./trace.ts";

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
  /** Datagrams received, those later dropped included. */
  datagramsIn: number;
  /** Payload bytes received. */
  bytesIn: number;
  /** Datagrams handed to the socket to send. */
  datagramsOut: number;
  /** Payload bytes handed to the socket to send. */
  bytesOut: number;
  /** Datagrams dropped because nobody read them in time. */
  dropped: number;
  /** Asynchronous errors survived, such as ICMP port unreachable. */
  errors: number;
}

/** Options for {@linkcode bindUdp}. */
export interface UdpOptions {
  /** Local address. @default {"127.0.0.1"} */
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
  };
  /**
   * Largest datagram `send` accepts, before the cap for the destination's IP
   * version (see `limitFor`).
   */
  readonly maxDatagramBytes: number;
  #socket!: UdpSocket;
  readonly #options: UdpOptions;
  readonly #inbox: Datagram[] = [];
  readonly #arrivals = new Waiters();
  #closed = false;

  /** @internal Use {@linkcode bindUdp}. */
  constructor(options: UdpOptions, maxDatagramBytes: number) {
    this.#options = options;
    this.maxDatagramBytes = maxDatagramBytes;
  }

  /** @internal */
  attach(socket: UdpSocket): void {
    this.#socket = socket;
  }

  /** Where the socket is bound, with the real port. */
  get localAddress(): SocketAddress {
    return this.#socket.localAddress;
  }

  /** @internal Called by the adapter for each datagram. */
  deliver(data: Uint8Array, from: SocketAddress): void {
    this.#options.trace?.({ type: "datagram-in", data }, {
      protocol: "udp",
      local: this.localAddress,
      remote: from,
    });
    this.stats.datagramsIn++;
    this.stats.bytesIn += data.length;
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

  /** @internal */
  fail(error: Error): void {
    this.stats.errors++;
    this.#options.onError?.(error);
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
   * Sends `payload` as one datagram to `to`, an IP literal (see `resolveHost`).
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
    this.stats.datagramsOut++;
    this.stats.bytesOut += bytes.length;
    this.#socket.send(bytes, to);
    this.#options.trace?.({ type: "datagram-out", data: bytes }, {
      protocol: "udp",
      local: this.localAddress,
      remote: to,
    });
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
   * Closes the socket; pending `receive` calls return `null`. Resolves once
   * the port is free to bind again; callers that do not rebind need not wait.
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#arrivals.release();
    }
    return this.#socket.close();
  }
}

/**
 * Binds a UDP socket.
 *
 * @param options Local address and limits.
 * @returns The bound endpoint.
 * @throws {NetError} `ADDRESS_IN_USE`, `ADDRESS_NOT_AVAILABLE`, `HOST_NOT_FOUND`.
 * @example
 * ```ts
 * import { bindUdp } from "../mod.ts";
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
  const maxDatagramBytes = options.maxDatagramBytes ?? DEFAULT_MAX_DATAGRAM_BYTES;
  if (!Number.isInteger(maxDatagramBytes) || maxDatagramBytes < 1) {
    throw new RangeError(
      `Cannot bind as 'maxDatagramBytes' must be a positive integer: current value is ${maxDatagramBytes}`,
    );
  }
  const hostname = await resolveHost(options.host ?? "127.0.0.1");
  const endpoint = new UdpEndpoint(options, maxDatagramBytes);
  const socket = await runtime.bindUdp({
    hostname,
    port: options.port ?? 0,
    events: {
      message: (data, from) => endpoint.deliver(data, from),
      error: (error) => endpoint.fail(error),
    },
  });
  endpoint.attach(socket);
  return endpoint;
}

/**
 * Binds a UDP socket that answers every datagram to its sender with what
 * `handler` returns; many clients at once, each answered separately.
 *
 * @example
 * ```ts
 * import { bindUdp, serveUdp } from "../mod.ts";
 * const server = await serveUdp({}, (message) => message.text.toUpperCase());
 * const client = await bindUdp({});
 * client.send("hi", server.localAddress);
 * if ((await client.receive(1000))?.message.text !== "HI") throw new Error("no reply");
 * client.close();
 * server.close();
 * ```
 */
export function serveUdp(
  options: Omit<UdpOptions, "onDatagram">,
  handler: (message: Message, from: SocketAddress) => Reply,
): Promise<UdpEndpoint> {
  return bindUdp({
    ...options,
    onDatagram({ message, from }, endpoint) {
      let reply: Reply;
      try {
        reply = handler(message, from);
        if (reply === undefined || reply === null) return;
        endpoint.send(reply, from);
      } catch (error) {
        // One bad datagram (invalid UTF-8, a reply too large) must not stop the server.
        endpoint.fail(asError(error));
      }
    },
  });
}
