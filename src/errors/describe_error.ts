import { formatAddress, localAddresses } from "../address/mod.ts";
import { FramingError, type FramingErrorCode } from "../framing/mod.ts";
import { NetError, type NetOperation } from "../net/mod.ts";
import { UsageError } from "./usage_error.ts";
import { zoneHint } from "./zone_hint.ts";

const DOING: Record<NetOperation, string> = {
  connect: "cannot connect to",
  listen: "cannot listen on",
  bind: "cannot bind",
  send: "cannot send to",
  receive: "error receiving from",
  resolve: "cannot resolve",
  handshake: "handshake with",
};

// The library names no flags; what a user can change about a framing failure is said here.
const FRAMING_HINTS: Partial<Record<FramingErrorCode, string>> = {
  FRAME_TOO_LARGE: "raise it with --max-frame",
  INVALID_FRAME: "use --framing length for binary data",
};

function hint(error: NetError): string {
  switch (error.code) {
    case "CONNECTION_REFUSED":
      return "is the server running? is the port right? a firewall that rejects looks the same";
    case "ADDRESS_IN_USE":
      return "is another server using that port? pick another with --port, or 0 for any free port";
    case "ADDRESS_NOT_AVAILABLE": {
      const mine = localAddresses().map((a) => a.address);
      return `this machine's addresses are ${mine.join(", ")}; use one of them, or 0.0.0.0 for all`;
    }
    case "HOST_NOT_FOUND":
      return /\.local\.?$/i.test(error.address?.hostname ?? "")
        ? "is the server running with its announcement on (not --no-announce, not on 127.0.0.1)? is this PC on the same LAN?"
        : "check the spelling, or use an IP address";
    case "TIMED_OUT":
      return error.operation === "receive"
        ? "does the server answer this message? does --framing match the server's?"
        : "nothing answered: is a firewall dropping the packets? check it on the server PC, and the address";
    case "PERMISSION_DENIED":
      return error.operation === "listen" || error.operation === "bind"
        ? "ports below 1024 need root; pick a port above 1024"
        : "is a firewall or policy blocking it?";
    case "SANDBOX_DENIED":
      return "run it with deno run -qP from the socklab folder, whose deno.json grants network access";
    case "NETWORK_UNREACHABLE":
      return "is this machine on that network? check the address, the routes (ip route, route print) and the cable or Wi-Fi";
    case "HOST_UNREACHABLE":
      return "check the IP address on the server PC with ip addr / ipconfig, and that both PCs are on the same network";
    case "REJECTED":
      return "check the firewall on the server PC, and the routes with ip route / route print and traceroute / tracert";
    case "INTERFACE_REQUIRED":
      return zoneHint(error.address?.hostname ?? "fe80::1");
    case "MESSAGE_TOO_LARGE":
      return "send less, or raise the limit";
    case "CONNECTION_RESET":
      return "the other side aborted the connection";
    case "TLS_HANDSHAKE_FAILED":
      return error.operation === "handshake"
        ? "a client that does not speak TLS? it needs client.ts --tls, openssl s_client or ncat --ssl"
        : "both sides need --tls, or neither";
    case "CERTIFICATE_UNTRUSTED":
      return "compare the fingerprint with the server's banner and pass it with --fingerprint, or trust its CA with --ca FILE; --insecure skips the check (lab only)";
    case "TOO_MANY_OPEN_FILES":
      return "every descriptor this process may open is in use: raise the limit (ulimit -n) or cap clients with --max-conns";
    default:
      return "";
  }
}

/**
 * The one line a user reads for a failure: what failed, where, and the likely
 * fix. The single place that turns errors into words.
 * @example
 * ```ts
 * import { describeError } from "./describe_error.ts";
 * import { NetError } from "../net/net_error.ts";
 * const line = describeError(new NetError("CONNECTION_REFUSED", "connection refused", {
 *   operation: "connect",
 *   address: { hostname: "127.0.0.1", port: 9000 },
 * }));
 * if (!line.startsWith("cannot connect to 127.0.0.1:9000: connection refused")) throw new Error(line);
 * ```
 */
export function describeError(error: unknown): string {
  if (error instanceof NetError) {
    const where = error.address
      ? error.operation === "resolve" ? `'${error.address.hostname}'` : formatAddress(error.address)
      : "";
    const prefix = error.operation ? `${DOING[error.operation]}${where ? ` ${where}` : ""}: ` : "";
    const why = hint(error);
    return `${prefix}${error.message}${why ? ` (${why})` : ""}`;
  }
  if (error instanceof FramingError) {
    const why = FRAMING_HINTS[error.code];
    return why ? `${error.message} (${why})` : error.message;
  }
  if (error instanceof UsageError) return error.message;
  // A plain Error is one of ours and its message says it all; other classes name the kind of failure.
  if (error instanceof Error) {
    return error.name === "Error" ? error.message : `${error.name}: ${error.message}`;
  }
  return String(error);
}
