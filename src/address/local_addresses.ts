import { networkInterfaces } from "node:os";
import { type InterfaceAddress, mayListInterfaces } from "../net/mod.ts";

/**
 * This machine's IP addresses, external ones first, so a server on 0.0.0.0
 * can tell students what to type on the other PC. Empty when the runtime is
 * not allowed to look.
 */
export function localAddresses(): InterfaceAddress[] {
  let interfaces: ReturnType<typeof networkInterfaces>;
  // Never asked for: the list helps a message, and a run must not stop to ask for it.
  if (!mayListInterfaces()) return [];
  try {
    interfaces = networkInterfaces();
  } catch {
    return [];
  }
  const found: InterfaceAddress[] = [];
  for (const [interfaceName, entries] of Object.entries(interfaces)) {
    for (const entry of entries ?? []) {
      found.push({
        interfaceName,
        address: entry.address,
        family: entry.family === "IPv6" ? "IPv6" : "IPv4",
        internal: entry.internal,
      });
    }
  }
  return found.sort((a, b) => Number(a.internal) - Number(b.internal));
}
