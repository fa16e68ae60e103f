import { describeError } from "../../errors/mod.ts";
import { NetError, type NetErrorCode, type SocketAddress } from "../../net/mod.ts";
import { printStatus } from "../mod.ts";

// What the ICMP errors Bun reports mean for a datagram; the kernel cannot
// tell Bun whether a host unreachable came from ARP or a router.
const UDP_WORDS: Partial<Record<NetErrorCode, string>> = {
  CONNECTION_REFUSED: "the host answered port unreachable (ICMP)",
  HOST_UNREACHABLE:
    "host unreachable: no host answered ARP there, or a router or firewall rejected it",
};

/**
 * A UDP socket's errors as facts about its target, each kind once: Bun
 * reports the ICMP errors that come back (port or host unreachable), Deno
 * only a send the kernel refused at once. The run goes on, so the loss is
 * counted too.
 */
export class UdpErrorFacts {
  readonly #told = new Set<NetErrorCode>();

  /**
   * `error` as a fact about `target`, in UDP's words, the first time its kind
   * is seen; undefined for a kind already told, or an error that says nothing
   * of the target.
   */
  first(error: Error, target: SocketAddress): NetError | undefined {
    const known = error instanceof NetError && error.code !== "UNKNOWN"
      && error.code !== "CLOSED";
    if (!known || this.#told.has(error.code)) return undefined;
    this.#told.add(error.code);
    const said = UDP_WORDS[error.code] ?? error.message;
    return new NetError(error.code, said, { operation: "send", address: target });
  }
}

/** What `udp.ts bench` says of its socket's errors while it runs: each fact once. */
export function benchNetErrorLines(): (error: Error, target: SocketAddress) => void {
  const facts = new UdpErrorFacts();
  return (error, target) => {
    const fact = facts.first(error, target);
    if (fact) printStatus(describeError(fact));
  };
}
