// This PC as multicast DNS names it: its host name's first label, and the IPv4
// addresses of the interfaces to work on.
import { hostname, networkInterfaces } from "node:os";
import { mayListInterfaces, mayReadHostname } from "../net/permissions.ts";

const WILDCARDS = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

/** Whether a server listening on `host` can be reached from another PC at all. */
export function isAnnounceable(host: string): boolean {
  return !(host === "localhost" || host.startsWith("127.") || host === "::1");
}

/**
 * The IPv4 addresses of the interfaces to send and listen on, and the
 * addresses to answer A and AAAA with, for a server listening on `listenHost`
 * (every non-loopback interface for a wildcard, else the one that has it).
 */
export function interfacesFor(listenHost: string): { ipv4: string[]; answered: string[] } {
  if (!mayListInterfaces()) return { ipv4: [], answered: [] };
  const all = Object.values(networkInterfaces()).flatMap((entries) => entries ?? []);
  const external = all.filter((a) => !a.address.startsWith("127.") && a.address !== "::1");
  const wildcard = WILDCARDS.has(listenHost);
  const chosen = wildcard
    ? external
    : external.filter((a) => a.address === listenHost.split("%")[0]);
  const ipv4 = chosen.filter((a) => a.family === "IPv4").map((a) => a.address);
  // A server on 0.0.0.0 is not reachable over IPv6, so it names no IPv6 address.
  const answered = chosen
    .filter((a) => a.family === "IPv4" || listenHost !== "0.0.0.0")
    .map((a) => a.address);
  return { ipv4, answered };
}

/** Every IPv4 address of this PC but loopback: where a client asks. */
export function queryInterfaces(): string[] {
  return interfacesFor("0.0.0.0").ipv4;
}

/** The interfaces that hold `addresses`, as users know them: `eth0 (10.0.0.2)`. */
export function interfacesText(addresses: readonly string[]): string {
  const names = new Map<string, string>();
  if (mayListInterfaces()) {
    for (const [name, entries] of Object.entries(networkInterfaces())) {
      for (const entry of entries ?? []) names.set(entry.address, name);
    }
  }
  return addresses.map((a) => (names.has(a) ? `${names.get(a)} (${a})` : a)).join(", ");
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
