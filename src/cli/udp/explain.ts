import { formatAddress, isIpv6 } from "../../address/mod.ts";
import type { SocketAddress } from "../../net/mod.ts";

/**
 * Why a UDP sender heard nothing: there is no connection, so silence has
 * several causes that look alike from here.
 */
export function silenceExplanation(): string {
  return "UDP has no connection, so it cannot tell whether the server is up: maybe nothing "
    + "listens on that port, a firewall drops the datagrams, or a datagram or its reply was lost";
}

/** The error text for a datagram too large to send, with the likely fix. */
export function tooLargeText(size: number, limit: number, to: SocketAddress): string {
  const version = isIpv6(to.hostname) ? "IPv6" : "IPv4";
  return `a datagram of ${size} bytes is over the limit of ${limit} bytes for UDP over ${version}`
    + ` to ${formatAddress(to)}, so it was not sent (send less, or use TCP for large messages)`;
}
