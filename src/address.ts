import { lookup } from "node:dns/promises";
import { interfacesText, queryInterfaces, resolveLocalName } from "./discovery/mod.ts";
import { NetError } from "./net/net_error.ts";
import type { SocketAddress } from "./net/types.ts";

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Tells whether `host` is an IPv4 or IPv6 literal rather than a name. */
export function isIpLiteral(host: string): boolean {
  return IPV4.test(host) || (host.includes(":") && /^[0-9a-fA-F:.]+(%\w+)?$/.test(host));
}

/** Tells whether `host` is an IPv6 literal. */
export function isIpv6(host: string): boolean {
  return host.includes(":");
}

/**
 * Formats an address the way users type it: `127.0.0.1:9000`, `[::1]:9000`.
 * @example
 * ```ts
 * import { formatAddress } from "./address.ts";
 * if (formatAddress({ hostname: "::1", port: 80 }) !== "[::1]:80") throw new Error();
 * ```
 */
export function formatAddress(address: SocketAddress): string {
  const host = shownHost(address.hostname);
  return isIpv6(host) ? `[${host}]:${address.port}` : `${host}:${address.port}`;
}

// An IPv4 client of a dual-stack (::) server arrives as ::ffff:a.b.c.d; users
// know it, and type it, as a.b.c.d.
function shownHost(hostname: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(hostname) ? hostname.slice(7) : hostname;
}

/**
 * Resolves a host name to one IP literal, once, so both runtimes report a
 * missing host the same way and UDP (which needs a literal on Bun) can send.
 * @throws {NetError} `HOST_NOT_FOUND` when the name does not resolve.
 */
export async function resolveHost(host: string): Promise<string> {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (isIpLiteral(bare)) return bare;
  // RFC 6762 section 3: .local names belong to multicast DNS, and a unicast DNS server
  // asked about them may take seconds to say no.
  if (isLocalName(bare)) return await resolveByMulticast(bare);
  try {
    const { address } = await lookup(bare);
    return address;
  } catch (error) {
    throw new NetError("HOST_NOT_FOUND", "host not found", {
      operation: "resolve",
      address: { hostname: bare, port: 0 },
      cause: error,
    });
  }
}

/** How long `HOST.local` is asked for on the LAN before giving up. */
export const LOCAL_NAME_TIMEOUT_MS = 2000;

function isLocalName(host: string): boolean {
  return /\.local\.?$/i.test(host);
}

// The system resolver comes second: with nss-mdns or Bonjour it may know names from
// another responder's cache, and a hosts-file entry for a .local name must still work.
async function resolveByMulticast(host: string): Promise<string> {
  const interfaces = queryInterfaces();
  let asked = "";
  if (interfaces.length > 0) {
    try {
      const found = await resolveLocalName(host, LOCAL_NAME_TIMEOUT_MS, interfaces);
      if (found !== undefined) return found;
      asked = ` by multicast DNS on ${interfacesText(interfaces)} within ${
        LOCAL_NAME_TIMEOUT_MS / 1000
      } s`;
    } catch (error) {
      asked = ` (multicast DNS: ${(error as Error).message})`;
    }
  }
  try {
    const { address } = await lookup(host);
    return address;
  } catch (error) {
    throw new NetError("HOST_NOT_FOUND", `no answer for ${host}${asked}`, {
      operation: "resolve",
      address: { hostname: host, port: 0 },
      cause: error,
    });
  }
}
