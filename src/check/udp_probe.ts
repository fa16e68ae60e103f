import { sameAddress } from "../address/mod.ts";
import { settlesWithin, Waiters } from "../async/mod.ts";
import type { SocketAddress } from "../net/mod.ts";
import { bindUdp, type Datagram, type UdpEndpoint } from "../udp/mod.ts";

/**
 * Datagrams one client keeps. The checks send one client at most 3 datagrams;
 * a server that sends it more than this has flooded it, and the client then
 * stops reading, so a flood costs at most this many datagrams of memory.
 */
export const KEPT_DATAGRAMS = 16;

/** What the socket's callbacks fill in, before and after the probe exists. */
interface Inbox {
  readonly datagrams: Datagram[];
  readonly errors: Error[];
  readonly changed: Waiters;
  /** Datagrams received in all, kept or not. */
  received: number;
  /** Set once the client was flooded: it has stopped reading. */
  onFlood?: () => void;
}

/**
 * One UDP client of the checker: its own port, the datagrams it receives kept
 * with their senders (up to {@linkcode KEPT_DATAGRAMS}), and ICMP errors
 * noted (Bun reports a port unreachable, Deno does not).
 */
export class UdpProbe {
  readonly #endpoint: UdpEndpoint;
  readonly #inbox: Inbox;
  #closing: Promise<void> | undefined;
  /** Datagrams sent. */
  sent = 0;

  private constructor(endpoint: UdpEndpoint, inbox: Inbox) {
    this.#endpoint = endpoint;
    this.#inbox = inbox;
    inbox.onFlood = () => void this.close();
  }

  /** The first datagrams received, from anyone. */
  get datagrams(): readonly Datagram[] {
    return this.#inbox.datagrams;
  }

  /** Datagrams received in all, counting those not kept. */
  get received(): number {
    return this.#inbox.received;
  }

  /** True once more datagrams came than any check asks for, and the client stopped reading. */
  get flooded(): boolean {
    return this.#inbox.received > KEPT_DATAGRAMS;
  }

  /** Set when the socket reported an error, such as ICMP port unreachable. */
  get error(): Error | undefined {
    return this.#inbox.errors[0];
  }

  /** Binds a new client socket on a free port, for talking to `server`. */
  static async open(server: SocketAddress): Promise<UdpProbe> {
    const inbox: Inbox = { datagrams: [], errors: [], changed: new Waiters(), received: 0 };
    const endpoint = await bindUdp({
      host: server.hostname.includes(":") ? "::" : "0.0.0.0",
      port: 0,
      onDatagram(datagram) {
        inbox.received++;
        if (inbox.datagrams.length < KEPT_DATAGRAMS) inbox.datagrams.push(datagram);
        else if (inbox.received === KEPT_DATAGRAMS + 1) inbox.onFlood?.();
        inbox.changed.release();
      },
      onError(error) {
        inbox.errors.push(error);
        inbox.changed.release();
      },
    });
    return new UdpProbe(endpoint, inbox);
  }

  /** This client's port. */
  get port(): number {
    return this.#endpoint.localAddress.port;
  }

  /** Sends one datagram; a flooded client sends nothing more. */
  send(data: Uint8Array, to: SocketAddress): void {
    if (this.#closing) return;
    this.sent++;
    this.#endpoint.send(data, to);
  }

  /** Datagrams received from `from`, of those kept. */
  from(from: SocketAddress): Datagram[] {
    return this.datagrams.filter((datagram) => sameAddress(datagram.from, from));
  }

  /**
   * Waits up to `ms` until `count` datagrams came (from anyone), an error
   * did, or the client was flooded.
   */
  async waitFor(count: number, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.datagrams.length < count && !this.error && !this.flooded) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await settlesWithin(this.#inbox.changed.wait(), left);
    }
    return this.datagrams.length >= count;
  }

  /** Closes the socket; again is harmless. */
  close(): Promise<void> {
    this.#closing ??= this.#endpoint.close();
    return this.#closing;
  }
}
