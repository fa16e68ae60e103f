import { formatAddress, localAddresses } from "../address/mod.ts";
import { type InterfaceAddress, mayListInterfaces, type SocketAddress } from "../net/mod.ts";
import { printLine, printStatus } from "./output.ts";

const WILDCARDS = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

// Not the runtime's `internal` flag: Deno 2.9.6 sets it on fe80::1 too (measured), the
// address two lab PCs on one link are most often given by hand.
const isLoopback = (a: InterfaceAddress) => a.address === "::1" || a.address.startsWith("127.");

const isLinkLocalV6 = (a: InterfaceAddress) => a.family === "IPv6" && /^fe[89ab]/i.test(a.address);

/**
 * Prints `listening on PROTO://HOST:PORT` as the first stdout line (scripts
 * and tests read the real port from it). On a wildcard address it then lists,
 * on stderr, this machine's addresses with the command to type on another PC.
 *
 * @param protocol `"tcp"` or `"udp"`.
 * @param address Where the server listens, with the real port.
 * @param clientCommand The client command for another PC, without host and port,
 *   e.g. `"deno run -qP client.ts"`.
 */
export function printListening(
  protocol: "tcp" | "udp",
  address: SocketAddress,
  clientCommand: string,
): void {
  printLine(`listening on ${protocol}://${formatAddress(address)}`);
  if (!WILDCARDS.has(address.hostname)) return;
  printAddressList(address, clientCommand);
  // Loopback traffic is worth watching too, so the filter comes either way.
  printStatus(
    `to watch the packets: Wireshark display filter "${protocol}.port == ${address.port}", `
      + `or: tshark -i any -f "${protocol} port ${address.port}"`,
  );
}

function printAddressList(address: SocketAddress, clientCommand: string): void {
  const command = (host: string) => `${clientCommand} --host ${host} --port ${address.port}`;
  if (!mayListInterfaces()) {
    printStatus(
      "this PC's addresses are not shown: listing network interfaces is not permitted "
        + "(deno run -qP grants it from deno.json, or add --allow-sys=networkInterfaces); "
        + "find the address with ip addr (Linux), ipconfig (Windows) or ifconfig (macOS), "
        + `then on another PC: ${command("ADDRESS")}`,
    );
    return;
  }
  const ipv6Too = address.hostname !== "0.0.0.0";
  const external = localAddresses().filter((a) => !isLoopback(a));
  const reachable = external.filter((a) => (a.family === "IPv4" || ipv6Too) && !isLinkLocalV6(a));
  const linkLocal = external.filter(isLinkLocalV6);
  if (reachable.length > 0) {
    printStatus("other PCs can connect with:");
    printByInterface(reachable.map((a) => ({ ...a, host: a.address })), command);
    // A typical lab has IPv4 from DHCP and no IPv6 router: fe80:: is then its only IPv6.
    const globalV6 = reachable.some((a) => a.family === "IPv6");
    if (ipv6Too && !globalV6 && linkLocal.length > 0) {
      printStatus(`or over IPv6, on the same link only (fe80::; ${ZONE_ADVICE}):`);
      printLinkLocal(linkLocal, command);
    }
    return;
  }
  if (linkLocal.length === 0) {
    printStatus("no network address found on this machine; only this PC can connect");
  } else if (!ipv6Too) {
    printStatus(
      "this machine has no IPv4 address but loopback, only link-local IPv6 ones (fe80::); "
        + "listen on them with --host :: to let other PCs on the same link connect",
    );
  } else {
    printStatus(
      "this machine has only link-local addresses (fe80::); other PCs on the same link can "
        + `connect with (${ZONE_ADVICE}):`,
    );
    printLinkLocal(linkLocal, command);
  }
}

// A link-local address names no network, so the client must say which link: %zone.
const ZONE_ADVICE = "after % goes the connecting PC's own interface on that link, shown "
  + "here with this PC's name: change it where the names differ, a number on Windows";

function printLinkLocal(linkLocal: InterfaceAddress[], command: (host: string) => string): void {
  printByInterface(
    linkLocal.map((a) => ({ ...a, host: `${a.address}%${a.interfaceName}` })),
    command,
  );
}

// The interface goes on a line of its own so that each command pastes into any shell,
// Windows cmd included (a "# via eth0" comment there would be run as more words).
function printByInterface(
  entries: (InterfaceAddress & { host: string })[],
  command: (host: string) => string,
): void {
  const byInterface = Map.groupBy(entries, (a) => a.interfaceName);
  for (const [interfaceName, addresses] of byInterface) {
    printStatus(`  on ${interfaceName}:`);
    for (const { host } of addresses) printStatus(`    ${command(host)}`);
  }
}
