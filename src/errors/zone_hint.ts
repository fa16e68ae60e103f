import { networkInterfaces } from "node:os";
import { mayListInterfaces } from "../net/mod.ts";

/** The part of `networkInterfaces()` read here. */
export type InterfaceList = Record<string, { address: string }[] | undefined>;

const LOOPBACK = /^(127\.|::1$)/;

/**
 * What to add to a link-local address that lacks its interface: an example
 * with this machine's first interface, and every interface that has an IPv6
 * link-local address (or, lacking any, every external one).
 * @example
 * ```ts
 * import { zoneHint } from "./zone_hint.ts";
 * const line = zoneHint("fe80::1", () => ({ eth0: [], lo: [] }));
 * if (!line.startsWith("e.g. fe80::1%eth0")) throw new Error(line);
 * ```
 */
export function zoneHint(
  host: string,
  listInterfaces: () => InterfaceList = permittedInterfaces,
): string {
  let interfaces: InterfaceList;
  try {
    interfaces = listInterfaces();
  } catch {
    // Deno without the sys permission throws here, and this runs after a failure: never ask then.
    return `e.g. ${host}%eth0; this script may not list the interfaces: ip addr (Linux), ipconfig (Windows) or ifconfig (macOS) names them`;
  }
  const external = Object.entries(interfaces)
    // By address, not by `internal`: Deno 2.9 marks fe80::1 internal too.
    .filter(([, entries]) => !(entries ?? []).some((entry) => LOOPBACK.test(entry.address)));
  const linkLocal = external
    .filter(([, entries]) => (entries ?? []).some((entry) => /^fe80:/i.test(entry.address)));
  const names = (linkLocal.length > 0 ? linkLocal : external).map(([name]) => name);
  if (names.length === 0) return `e.g. ${host}%eth0; this machine has no network interface up`;
  return `e.g. ${host}%${names[0]}; interfaces here: ${names.join(", ")}`;
}

function permittedInterfaces(): InterfaceList {
  if (!mayListInterfaces()) throw new Error("listing interfaces is not permitted");
  return networkInterfaces();
}
