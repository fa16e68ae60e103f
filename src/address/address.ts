import type { SocketAddress } from "../net/mod.ts";

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
