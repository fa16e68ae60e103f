import { formatAddress, isIpv6, resolveHost } from "../../address.ts";
import type { SocketAddress } from "../../net/types.ts";
import type { TraceSink } from "../../trace.ts";
import { bindUdp, type Datagram, type UdpEndpoint } from "../../udp_endpoint.ts";
import { printStatus } from "../output.ts";

/** The server a UDP client or ping talks to, and the local socket it talks from. */
export interface UdpTarget {
  /** The server, its host resolved once to an IP literal. */
  readonly address: SocketAddress;
  readonly endpoint: UdpEndpoint;
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
): Promise<UdpTarget> {
  const address = { hostname: await resolveHost(host), port };
  const endpoint = await bindUdp({
    host: isIpv6(address.hostname) ? "::" : "0.0.0.0",
    port: 0,
    trace,
    onDatagram(datagram) {
      if (sameAddress(datagram.from, address)) onReply(datagram);
      else if (verbose) {
        printStatus(`ignored ${datagram.message.size} bytes from ${formatAddress(datagram.from)}`);
      }
    },
    onError(error) {
      // Only Bun reports an ICMP port unreachable; Deno never does, so it only informs.
      if (verbose) printStatus(`network error (ignored): ${error.message}`);
    },
  });
  if (verbose) {
    printStatus(`sending from udp://${formatAddress(endpoint.localAddress)}`);
  }
  return { address, endpoint };
}

/** Tells whether two addresses name the same socket, whatever their IPv6 spelling. */
export function sameAddress(a: SocketAddress, b: SocketAddress): boolean {
  return a.port === b.port && canonicalHost(a.hostname) === canonicalHost(b.hostname);
}

function canonicalHost(hostname: string): string {
  const bare = hostname.toLowerCase().replace(/^::ffff:(?=\d+\.)/, "");
  if (!bare.includes(":")) return bare;
  try {
    return new URL(`http://[${bare}]/`).hostname;
  } catch {
    return bare;
  }
}
