import { describeError } from "../../errors/mod.ts";
import { NetError, type NetErrorCode, type SocketAddress } from "../../net/mod.ts";
import { printStatus } from "../mod.ts";

// What the ICMP errors Bun reports mean for a datagram; the kernel cannot
// tell Bun whether a host unreachable came from ARP or a router.
export const UDP_WORDS: Partial<Record<NetErrorCode, string>> = {
  CONNECTION_REFUSED: "the host answered port unreachable (ICMP)",
  HOST_UNREACHABLE:
    "host unreachable: no host answered ARP there, or a router or firewall rejected it",
};

/**
 * What `udp.ts bench` says of its socket's errors while it runs: Bun reports
 * the ICMP errors that come back (port or host unreachable), Deno only a send
 * the kernel refused at once. Each is said once, as a fact about the target;
 * the run goes on, so the loss is counted too.
 */
export function benchNetErrorLines(): (error: Error, target: SocketAddress) => void {
  const told = new Set<NetErrorCode>();
  return (error, target) => {
    const known = error instanceof NetError && error.code !== "UNKNOWN"
      && error.code !== "CLOSED";
    if (!known || told.has(error.code)) return;
    told.add(error.code);
    const said = UDP_WORDS[error.code] ?? error.message;
    printStatus(
      describeError(new NetError(error.code, said, { operation: "send", address: target })),
    );
  };
}
