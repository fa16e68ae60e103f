// HOST.local by multicast DNS, for a PC whose system resolver does not do it
// (Windows before 10, Linux without nss-mdns, most containers).
import { dottedName, RR, sameName } from "./dns_message.ts";
import type { MdnsLink } from "./local_host.ts";
import { openQuerier } from "./querier.ts";

// Asked again this often until an answer comes.
const REASK_MS = 500;

/**
 * The first address (IPv4 preferred within the first answer) a host on the
 * LAN gives for `name`, or undefined when none answers within `timeoutMs`.
 */
export async function resolveLocalName(
  name: string,
  timeoutMs: number,
  interfaces: readonly MdnsLink[],
): Promise<string | undefined> {
  const wanted = dottedName(name);
  let resolveFound!: (address: string) => void;
  const found = new Promise<string>((resolve) => (resolveFound = resolve));
  const querier = await openQuerier(interfaces, (records) => {
    const addresses = records.flatMap((r) =>
      r.ttl > 0 && "address" in r.data && sameName(r.name, wanted) ? [r.data] : []
    );
    const best = addresses.find((a) => a.type === RR.A) ?? addresses[0];
    if (best && "address" in best) resolveFound(best.address);
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const deadline = Date.now() + timeoutMs;
    const timedOut = Symbol("timeout");
    while (Date.now() < deadline) {
      await querier.ask([
        { name: wanted, type: RR.A, unicastResponse: false },
        { name: wanted, type: RR.AAAA, unicastResponse: false },
      ]);
      const wait = new Promise<typeof timedOut>((resolve) => {
        timer = setTimeout(() => resolve(timedOut), Math.min(REASK_MS, deadline - Date.now()));
      });
      const outcome = await Promise.race([found, wait]);
      clearTimeout(timer);
      if (outcome !== timedOut) return outcome;
    }
    return undefined;
  } finally {
    clearTimeout(timer);
    await querier.close();
  }
}
