import { lookup } from "node:dns/promises";
import { isIpLiteral } from "../address/mod.ts";
import { NetError } from "../net/mod.ts";
import { interfacesText, queryInterfaces } from "./local_host.ts";
import { resolveLocalName } from "./resolve.ts";

/**
 * Resolves a host name to one IP literal, once, so both runtimes report a
 * missing host the same way and UDP (which needs a literal on Bun) can send.
 * @throws {NetError} `HOST_NOT_FOUND` when the name does not resolve.
 */
export async function resolveHost(host: string): Promise<string> {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (isIpLiteral(bare)) return bare;
  // RFC 6762 section 3: .local names belong to multicast DNS, and a unicast DNS server
  // asked about them may take seconds to say no.
  if (isLocalName(bare)) return await resolveByMulticast(bare);
  try {
    const { address } = await lookup(bare);
    return address;
  } catch (error) {
    throw new NetError("HOST_NOT_FOUND", "host not found", {
      operation: "resolve",
      address: { hostname: bare, port: 0 },
      cause: error,
    });
  }
}

/** How long `HOST.local` is asked for on the LAN before giving up. */
export const LOCAL_NAME_TIMEOUT_MS = 2000;

function isLocalName(host: string): boolean {
  return /\.local\.?$/i.test(host);
}

// The system resolver comes second: with nss-mdns or Bonjour it may know names from
// another responder's cache, and a hosts-file entry for a .local name must still work.
async function resolveByMulticast(host: string): Promise<string> {
  const interfaces = queryInterfaces();
  let asked = "";
  if (interfaces.length > 0) {
    try {
      const found = await resolveLocalName(host, LOCAL_NAME_TIMEOUT_MS, interfaces);
      if (found !== undefined) return found;
      asked = ` by multicast DNS on ${interfacesText(interfaces)} within ${
        LOCAL_NAME_TIMEOUT_MS / 1000
      } s`;
    } catch (error) {
      asked = ` (multicast DNS: ${(error as Error).message})`;
    }
  }
  try {
    const { address } = await lookup(host);
    return address;
  } catch (error) {
    throw new NetError("HOST_NOT_FOUND", `no answer for ${host}${asked}`, {
      operation: "resolve",
      address: { hostname: host, port: 0 },
      cause: error,
    });
  }
}
