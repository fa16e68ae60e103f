// This PC as multicast DNS names it: its host name's first label, and the
// interfaces to work on with their addresses.
import { hostname, networkInterfaces } from "node:os";
import { mayListInterfaces, mayReadHostname } from "../net/mod.ts";

const WILDCARDS = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

/**
 * One network interface multicast DNS works on: its name (the `%zone` of its
 * IPv6 link-local addresses), its addresses with their prefixes, and the ones
 * a server answers A and AAAA queries with when a query arrives on it
 * (RFC 6762 section 15: each link hears the addresses that work on that link).
 */
export interface MdnsLink {
  readonly name: string;
  /** IPv4 addresses, the first one used to pick the interface for IPv4 multicast. */
  readonly ipv4: readonly string[];
  /** IPv6 addresses without a zone. */
  readonly ipv6: readonly string[];
  /** Every address with its prefix length: `10.0.0.2/24`, `fe80::2/64`. */
  readonly cidrs: readonly string[];
  /** What a server answers for its host name on this link. */
  readonly answered: readonly string[];
}

/** Whether a server listening on `host` can be reached from another PC at all. */
export function isAnnounceable(host: string): boolean {
  return !(host === "localhost" || host.startsWith("127.") || host === "::1");
}

/**
 * The interfaces to send and listen on for a server listening on
 * `listenHost` (every non-loopback interface for a wildcard, else the one
 * that has it), each with the addresses to answer A and AAAA with.
 */
export function interfacesFor(listenHost: string): MdnsLink[] {
  if (!mayListInterfaces()) return [];
  const wildcard = WILDCARDS.has(listenHost);
  const bare = listenHost.split("%")[0];
  const links: MdnsLink[] = [];
  for (const [name, entries] of Object.entries(networkInterfaces())) {
    // Not `internal`: Deno 2.9 sets it on link-local IPv6 addresses of real interfaces too.
    const external = (entries ?? []).filter((a) => !isLoopbackAddress(a.address));
    const bareOf = (address: string) => address.split("%")[0]!;
    // A server on 0.0.0.0 is not reachable over IPv6, so it names no IPv6 address.
    const answered = (wildcard ? external : external.filter((a) => a.address === bare))
      .filter((a) => a.family === "IPv4" || listenHost !== "0.0.0.0")
      .map((a) => bareOf(a.address));
    // Nothing to offer on a link where the server cannot be reached.
    if (answered.length === 0) continue;
    links.push({
      name,
      // Multicast over a protocol works from any address of it on the link, chosen or not.
      ipv4: external.filter((a) => a.family === "IPv4").map((a) => a.address),
      ipv6: external.filter((a) => a.family === "IPv6").map((a) => bareOf(a.address)),
      cidrs: external.map((a) =>
        a.cidr ?? `${bareOf(a.address)}/${a.family === "IPv4" ? 32 : 128}`
      ),
      answered,
    });
  }
  return links;
}

/** Every interface of this PC but loopback: where a client asks. */
export function queryInterfaces(): MdnsLink[] {
  return interfacesFor("::");
}

/** The interfaces as users know them: `eth0 (10.0.0.2, fe80::2)`. */
export function interfacesText(links: readonly MdnsLink[]): string {
  return links.map((link) => `${link.name} (${[...link.ipv4, ...link.ipv6].join(", ")})`)
    .join(", ");
}

function isLoopbackAddress(address: string): boolean {
  return address.startsWith("127.") || address === "::1";
}

/** This PC's host name as a .local label (`lab-pc-07`), or undefined when it may not be read. */
export function hostLabel(): string | undefined {
  if (!mayReadHostname()) return undefined;
  try {
    const label = hostname().split(".")[0]!.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 63);
    return label === "" ? undefined : label;
  } catch {
    return undefined;
  }
}
