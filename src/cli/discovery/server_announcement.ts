import packageJson from "../../../package.json" with { type: "json" };
import {
  announce,
  type Announcement,
  hostLabel,
  interfacesFor,
  isAnnounceable,
  MdnsUnavailable,
  type ServiceProtocol,
} from "../../discovery/mod.ts";
import { mayListInterfaces, type SocketAddress } from "../../net/mod.ts";
import { commandFor, printStatus } from "../mod.ts";
import type { AnnounceChoice } from "./announce_flags.ts";

/** What a server tells the LAN about itself. */
export interface ServerAnnouncementOptions {
  readonly protocol: ServiceProtocol;
  readonly address: SocketAddress;
  readonly choice: AnnounceChoice;
  readonly mode: string;
  readonly framing: string;
  /** The TLS certificate's SHA-256 fingerprint, with --tls. */
  readonly fingerprint?: string;
}

/**
 * Announces the server when it listens beyond loopback and --no-announce is
 * not given, and prints one line on stderr: the name it can be found by, or
 * why it is not announced (the server serves either way).
 */
export async function startServerAnnouncement(
  options: ServerAnnouncementOptions,
): Promise<Announcement | undefined> {
  if (!options.choice || !isAnnounceable(options.address.hostname)) return undefined;
  if (!mayListInterfaces()) {
    printStatus(
      "not announced on the LAN: listing network interfaces is not permitted "
        + "(deno run -qP grants it from deno.json, or add --allow-sys=networkInterfaces,hostname)",
    );
    return undefined;
  }
  const links = interfacesFor(options.address.hostname);
  const host = hostLabel() ?? "socklab";
  const txt: Record<string, string> = { mode: options.mode, framing: options.framing };
  if (options.fingerprint) txt.tls = options.fingerprint.replaceAll(":", "");
  txt.version = packageJson.version;
  const instance = options.choice.name ?? `${host} ${options.mode}`;
  try {
    const announcement = await announce({
      service: {
        protocol: options.protocol,
        instance,
        hostLabel: host,
        port: options.address.port,
        addresses: [...new Set(links.flatMap((link) => link.answered))],
        txt,
      },
      interfaces: links,
    });
    const find = options.protocol === "tcp"
      ? `${commandFor("client.ts")} --find`
      : `${commandFor("udp.ts")} find`;
    const renamed = announcement.name === instance
      ? ""
      : ` (another server on the LAN already has the name "${instance}")`;
    printStatus(
      `announced on the LAN as "${announcement.name}"${renamed} on host ${announcement.host} `
        + `(multicast DNS, udp port 5353): other PCs list it with ${find}${
          announcement.problems.map((problem) => `; ${problem}`).join("")
        }`,
    );
    return announcement;
  } catch (error) {
    // Whatever went wrong with multicast DNS, the server itself serves as usual.
    const why = error instanceof MdnsUnavailable
      ? error.message
      : `multicast DNS failed: ${error instanceof Error ? error.message : String(error)}`;
    printStatus(`not announced on the LAN (${why}); serving as usual, clients need the address`);
    return undefined;
  }
}
