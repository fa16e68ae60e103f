import { lookup } from "node:dns/promises";
import { isIpLiteral } from "../../address/mod.ts";
import { escapeControl } from "../../bytes/mod.ts";
import {
  type InstanceFound,
  interfacesText,
  LOCAL_NAME_TIMEOUT_MS,
  lookupInstance,
  queryInterfaces,
  type ServiceProtocol,
} from "../../discovery/mod.ts";
import { commandFor, endpointFlags, printStatus } from "../mod.ts";

/** Where a connecting script was told to go. */
export interface Target {
  readonly host: string;
  readonly port: number;
  /** Whether the command line named the port (--port, or HOST:PORT). */
  readonly portGiven: boolean;
}

/**
 * `endpointFlags` for a script that connects, noting whether the port was
 * given (then it wins over the one an instance announces).
 */
export function targetFlags(
  host: string,
  port: string,
  portFlagGiven: boolean,
  minPort: number,
): Target {
  const endpoint = endpointFlags(host, port, portFlagGiven, minPort);
  // A HOST:PORT value names the port too.
  return { ...endpoint, portGiven: portFlagGiven || endpoint.host !== host };
}

// What a host name may be made of (RFC 952, with the underscore some LANs use):
// anything else ("lab-pc-07 echo", "Ani (2)") can only be an instance name.
const HOST_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Turns `--host NAME`, where NAME is the instance name `--find` lists, into
 * the address and port its server announces; any other host (an address, a
 * name the system resolver knows, NAME.local) comes back unchanged, without
 * a packet sent, so `localhost` and the PC's own host name cost nothing.
 * @throws {Error} one line: no such server (what was asked, where, and what to try), or two of them.
 */
export async function resolveInstanceTarget(
  target: Target,
  protocol: ServiceProtocol,
): Promise<Target> {
  const bare = target.host.replace(/^\[(.*)\]$/, "$1");
  const shown = escapeControl(bare);
  if (isIpLiteral(bare) || /\.local\.?$/i.test(bare)) return target;
  const couldBeHost = HOST_NAME.test(bare);
  if (couldBeHost && await systemResolves(bare)) return target;
  const interfaces = queryInterfaces();
  const kind = `socklab ${protocol.toUpperCase()} server`;
  const find = protocol === "tcp"
    ? `${commandFor("client.ts")} --find`
    : `${commandFor("udp.ts")} find`;
  const notHost = couldBeHost ? ` (no host of that name either)` : "";
  if (interfaces.length === 0) {
    throw new Error(
      `cannot look for a ${kind} named "${shown}"${notHost}: this PC has no network interface with an IP address (check the cable or Wi-Fi), or use the server's address`,
    );
  }
  let found: InstanceFound[];
  try {
    found = await lookupInstance({
      protocol,
      name: bare,
      timeoutMs: LOCAL_NAME_TIMEOUT_MS,
      interfaces,
    });
  } catch (error) {
    throw new Error(
      `cannot look for a ${kind} named "${shown}"${notHost}: ${
        (error as Error).message
      }; use the server's address`,
    );
  }
  const reachable = found.filter((server) => server.addresses.length > 0);
  if (reachable.length === 0) {
    throw new Error(
      `no ${kind} named "${shown}" answered on ${interfacesText(interfaces)} within ${
        LOCAL_NAME_TIMEOUT_MS / 1000
      } s${notHost}: is it running with its announcement on (no --no-announce)? is this PC on the same LAN? list what is here with ${find}`,
    );
  }
  if (reachable.length > 1) {
    throw new Error(
      `${reachable.length} ${kind}s are named "${shown}": ${
        reachable.map(describe).join("; ")
      }; connect to one by its address (--host ADDRESS --port PORT) or give them different --name`,
    );
  }
  const server = reachable[0]!;
  const address = server.addresses[0]!;
  // Whatever answered wrote these: shown escaped, never as terminal controls.
  const [name, host] = [escapeControl(server.name), escapeControl(server.host)];
  if (target.portGiven && target.port !== server.port) {
    printStatus(
      `note: "${name}" announces port ${server.port}; using port ${target.port} as given`,
    );
  }
  const port = target.portGiven ? target.port : server.port;
  printStatus(
    `"${name}" is ${host} at ${address}, port ${server.port} (multicast DNS)`,
  );
  return { host: address, port, portGiven: target.portGiven };
}

function describe(server: InstanceFound): string {
  return escapeControl(`${server.host} (${server.addresses.join(", ")}) port ${server.port}`);
}

async function systemResolves(host: string): Promise<boolean> {
  try {
    await lookup(host);
    return true;
  } catch {
    return false;
  }
}
