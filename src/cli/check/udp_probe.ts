import { settlesWithin } from "../../async/deadline.ts";
import { Waiters } from "../../async/waiters.ts";
import type { SocketAddress } from "../../net/types.ts";
import { bindUdp, type Datagram, type UdpEndpoint } from "../../udp_endpoint.ts";
import { sameAddress } from "../udp/target.ts";

/**
 * One UDP client of the checker: its own port, every datagram it receives
 * kept with its sender, and ICMP errors noted (Bun reports a port unreachable,
 * Deno does not).
 */
export class UdpProbe {
  readonly #endpoint: UdpEndpoint;
  readonly #changed: Waiters;
  /** Everything received, from anyone. */
  readonly datagrams: Datagram[];
  readonly #errors: Error[];

  private constructor(
    endpoint: UdpEndpoint,
    datagrams: Datagram[],
    errors: Error[],
    changed: Waiters,
  ) {
    this.#endpoint = endpoint;
    this.datagrams = datagrams;
    this.#errors = errors;
    this.#changed = changed;
  }

  /** Set when the socket reported an error, such as ICMP port unreachable. */
  get error(): Error | undefined {
    return this.#errors[0];
  }

  /** Binds a new client socket on a free port, for talking to `server`. */
  static async open(server: SocketAddress): Promise<UdpProbe> {
    const datagrams: Datagram[] = [];
    const errors: Error[] = [];
    const changed = new Waiters();
    const endpoint = await bindUdp({
      host: server.hostname.includes(":") ? "::" : "0.0.0.0",
      port: 0,
      onDatagram(datagram) {
        datagrams.push(datagram);
        changed.release();
      },
      onError(error) {
        errors.push(error);
        changed.release();
      },
    });
    return new UdpProbe(endpoint, datagrams, errors, changed);
  }

  /** This client's port. */
  get port(): number {
    return this.#endpoint.localAddress.port;
  }

  /** Sends one datagram. */
  send(data: Uint8Array, to: SocketAddress): void {
    this.#endpoint.send(data, to);
  }

  /** Datagrams received from `from`. */
  from(from: SocketAddress): Datagram[] {
    return this.datagrams.filter((datagram) => sameAddress(datagram.from, from));
  }

  /** Waits up to `ms` until `count` datagrams came (from anyone) or an error did. */
  async waitFor(count: number, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.datagrams.length < count && !this.error) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await settlesWithin(this.#changed.wait(), left);
    }
    return this.datagrams.length >= count;
  }

  /** Closes the socket. */
  close(): Promise<void> {
    return this.#endpoint.close();
  }
}
