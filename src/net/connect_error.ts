import { isZonelessLinkLocal, NetError, toNetError } from "./net_error.ts";
import type { SocketAddress } from "./types.ts";

/**
 * How long a failed connect must have taken to mean that nothing answered:
 * Linux gives up on ARP (and IPv6 neighbour discovery) after three probes one
 * second apart, about 3 s (3.05 s measured on Linux 6.18), while a reset or
 * an ICMP rejection comes back within a round trip.
 */
export const NO_ANSWER_AFTER_MS = 2000;

/**
 * Turns what a runtime threw for a failed TCP connect into a NetError that
 * says what happened on the wire: nobody answered at that address
 * (`HOST_UNREACHABLE`), a firewall or route turned it away (`REJECTED`), a
 * link-local address lacks its interface (`INTERFACE_REQUIRED`), or the usual
 * code of {@linkcode toNetError}.
 *
 * @param error What the runtime threw, with its errno in `code`.
 * @param to The address connected to.
 * @param elapsedMs How long the attempt took: the kernel reports "no ARP
 * answer" and "ICMP host unreachable" with the same errno, EHOSTUNREACH.
 * @returns The error to throw.
 */
export function toConnectError(error: unknown, to: SocketAddress, elapsedMs: number): NetError {
  const context = { operation: "connect", address: to, cause: error } as const;
  const netError = toNetError(error, context);
  const errno = errnoOf(error);
  const host = to.hostname;
  if (isZonelessLinkLocal(host) && !ANSWERED.has(netError.code)) {
    return new NetError(
      "INTERFACE_REQUIRED",
      `${host} is a link-local address: add %INTERFACE`,
      context,
    );
  }
  if (netError.code === "HOST_UNREACHABLE") {
    if (elapsedMs >= NO_ANSWER_AFTER_MS) {
      const asked = host.includes(":") ? "neighbour discovery" : "ARP";
      return new NetError("HOST_UNREACHABLE", `no host answered ${asked} at ${host}`, context);
    }
    return new NetError(
      "REJECTED",
      "host unreachable at once: a firewall or router rejected it (ICMP), or a route here says unreachable",
      context,
    );
  }
  if (netError.code === "PERMISSION_DENIED") {
    return new NetError(
      "REJECTED",
      "prohibited: a firewall or a prohibit route (here or on the way) forbids it",
      context,
    );
  }
  // Linux answers EINVAL for a destination its routing table discards (a blackhole route).
  if (errno === "EINVAL") {
    return new NetError("REJECTED", "discarded by a blackhole route on this machine", context);
  }
  return netError;
}

// Failures that prove the packets reached something: the zone was not the problem.
const ANSWERED = new Set(["CONNECTION_REFUSED", "CONNECTION_RESET", "SANDBOX_DENIED"]);

function errnoOf(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
  return typeof code === "string" ? code : undefined;
}
