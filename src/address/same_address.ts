import type { SocketAddress } from "../net/mod.ts";

/**
 * Tells whether two addresses name the same socket, whatever their IPv6
 * spelling. A zone counts only when both have one of the same kind (two
 * names, or two indexes): Deno reports a link-local sender without its
 * `%zone`, Bun with the interface's name, and users may type either.
 */
export function sameAddress(a: SocketAddress, b: SocketAddress): boolean {
  if (a.port !== b.port) return false;
  const [hostA, zoneA] = splitZone(a.hostname);
  const [hostB, zoneB] = splitZone(b.hostname);
  if (canonicalHost(hostA) !== canonicalHost(hostB)) return false;
  if (zoneA === undefined || zoneB === undefined) return true;
  return /^\d+$/.test(zoneA) !== /^\d+$/.test(zoneB) || zoneA === zoneB;
}

function splitZone(hostname: string): [string, string | undefined] {
  const percent = hostname.indexOf("%");
  return percent < 0
    ? [hostname, undefined]
    : [hostname.slice(0, percent), hostname.slice(percent + 1)];
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
