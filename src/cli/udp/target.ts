import { formatAddress, isIpv6, sameAddress } from "../../address/mod.ts";
import { resolveHost } from "../../discovery/mod.ts";
import { describeError } from "../../errors/mod.ts";
import type { TraceSink } from "../../message/mod.ts";
import type { NetError, SocketAddress } from "../../net/mod.ts";
import { bindUdp, type Datagram, type DatagramFaults, type UdpEndpoint } from "../../udp/mod.ts";
import { printStatus } from "../mod.ts";
import { UdpErrorFacts } from "./udp_error_facts.ts";

/** The server a UDP client or ping talks to, and the local socket it talks from. */
export interface UdpTarget {
  /** The server, its host resolved once to an IP literal. */
  readonly address: SocketAddress;
  readonly endpoint: UdpEndpoint;
  /**
   * Resolves when the host answered port unreachable (ICMP): nothing listens
   * there. Only Bun hears of it; on Deno it never resolves.
   */
  readonly refused: Promise<NetError>;
}

/** How {@linkcode openUdpTarget} reports what it hears. */
export interface UdpTargetReporting {
  /** The caller says a port unreachable itself, as its last word, instead of a line here. */
  refusalIsFinal?: boolean;
}

/**
 * Resolves `host` once and binds a local socket on every interface of the
 * same IP version, so replies from a server on another PC arrive too.
 * Replies from anyone but the server are ignored (noted with `verbose`).
 */
export async function openUdpTarget(
  host: string,
  port: number,
  verbose: boolean,
  onReply: (datagram: Datagram) => void,
  trace?: TraceSink,
  faults?: DatagramFaults,
  reporting: UdpTargetReporting = {},
): Promise<UdpTarget> {
  const address = { hostname: await resolveHost(host), port };
  const facts = new UdpErrorFacts();
  let markRefused!: (error: NetError) => void;
  const refused = new Promise<NetError>((resolve) => (markRefused = resolve));
  const endpoint = await bindUdp({
    host: isIpv6(address.hostname) ? "::" : "0.0.0.0",
    port: 0,
    trace,
    faults,
    onDatagram(datagram) {
      if (sameAddress(datagram.from, address)) onReply(datagram);
      else if (verbose) {
        printStatus(`ignored ${datagram.message.size} bytes from ${formatAddress(datagram.from)}`);
      }
    },
    onError(error) {
      const fact = facts.first(error, address);
      if (fact) {
        if (fact.code === "CONNECTION_REFUSED") markRefused(fact);
        if (!(fact.code === "CONNECTION_REFUSED" && reporting.refusalIsFinal)) {
          printStatus(describeError(fact));
        }
      } else if (verbose) printStatus(`network error (ignored): ${error.message}`);
    },
  });
  if (verbose) {
    printStatus(`sending from udp://${formatAddress(endpoint.localAddress)}`);
  }
  return { address, endpoint, refused };
}
