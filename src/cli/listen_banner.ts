import { formatAddress } from "../address.ts";
import type { SocketAddress } from "../net/types.ts";
import { localAddresses } from "./local_addresses.ts";
import { printLine, printStatus } from "./output.ts";

const WILDCARDS = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

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
  const ipv6Too = address.hostname !== "0.0.0.0";
  const reachable = localAddresses().filter((a) =>
    !a.internal && (a.family === "IPv4" || ipv6Too) && !a.address.startsWith("fe80:")
  );
  if (reachable.length === 0) {
    printStatus("no network address found on this machine; only this PC can connect");
  } else {
    printStatus("other PCs can connect with:");
    for (const { address: ip, interfaceName } of reachable) {
      printStatus(
        `  ${clientCommand} --host ${ip} --port ${address.port}    # via ${interfaceName}`,
      );
    }
  }
  // Loopback traffic is worth watching too, so the filter comes either way.
  printStatus(
    `to watch the packets: Wireshark display filter "${protocol}.port == ${address.port}", `
      + `or: tshark -i any -f "${protocol} port ${address.port}"`,
  );
}
