// Which interface a multicast DNS message arrived on. node:dgram does not
// tell (no IP_PKTINFO), so it is inferred from the sender, as RFC 6762
// section 11 does for its source address check: the link whose prefix holds
// the sender's address, or for a link-local IPv6 sender the `%zone` Bun
// reports (Deno drops it: then only a PC with one IPv6 link can tell).
import { cidrContains, parseCidr } from "../address/mod.ts";
import type { MdnsLink } from "./local_host.ts";

/** The link `address` (as `rinfo` gave it) is on, or undefined when it cannot be told. */
export function arrivalLink(address: string, links: readonly MdnsLink[]): MdnsLink | undefined {
  const [bare, zone] = address.split("%") as [string, string | undefined];
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1];
  const host = mapped ?? bare;
  if (host.includes(":") && /^fe[89ab]/i.test(host)) {
    if (zone !== undefined) return links.find((link) => link.name === zone);
    const withIpv6 = links.filter((link) => link.ipv6.length > 0);
    return withIpv6.length === 1 ? withIpv6[0] : undefined;
  }
  return links.find((link) =>
    link.cidrs.some((cidr) => {
      try {
        return cidrContains(parseCidr(cidr), host);
      } catch {
        return false;
      }
    })
  );
}

/** `address` with the zone of `link` when it is a link-local IPv6 address that has none. */
export function withZone(address: string, link: MdnsLink | undefined): string {
  if (!link || address.includes("%") || !/^fe[89ab][0-9a-f]?:/i.test(address)) return address;
  return `${address}%${link.name}`;
}
