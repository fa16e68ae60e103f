import {
  browse,
  type FoundServer,
  interfacesText,
  queryInterfaces,
  type ServiceProtocol,
} from "../../discovery/mod.ts";
import { commandFor, printLine, printStatus } from "../mod.ts";

/** One server as `--find --json` prints it. */
export interface FoundServerJson {
  name: string;
  host: string;
  addresses: string[];
  port: number;
  mode: string | null;
  framing: string | null;
  /** SHA-256 fingerprint of its certificate when it speaks TLS, else null. */
  tls: string | null;
  version: string | null;
  /** What to type to connect, by address. */
  command: string;
  /** The same by the instance name, which outlives a DHCP lease: `client.ts --host "Ani"`. */
  commandByName: string;
}

/**
 * `client.ts --find` and `udp.ts find`: lists the socklab servers of `protocol`
 * that answer within `timeoutMs`, one block each (or a JSON array), with the
 * command to connect. Finding none is not a failure: exit 0, with a hint.
 */
export async function runFind(
  options: { protocol: ServiceProtocol; timeoutMs: number; json: boolean },
): Promise<number> {
  const interfaces = queryInterfaces();
  const found = await browse({ ...options, interfaces });
  const rows = found.map((server) => toJson(server, options.protocol));
  if (options.json) {
    printLine(JSON.stringify(rows));
  } else {
    for (const row of rows) {
      const details = [
        row.host,
        ...row.addresses,
        `port ${row.port}`,
        row.mode && `mode ${row.mode}`,
        row.framing && `framing ${row.framing}`,
        row.tls && `TLS ${row.tls}`,
      ].filter(Boolean);
      printLine(`${row.name}: ${details.join(", ")}`);
      printLine(`  ${row.command}`);
      printLine(`  ${row.commandByName}`);
    }
  }
  if (rows.length === 0) {
    printStatus(
      `no socklab ${options.protocol.toUpperCase()} server answered on ${
        interfacesText(interfaces)
      } within `
        + `${
          options.timeoutMs / 1000
        } s: is the server started with --host 0.0.0.0 (not 127.0.0.1) and `
        + `without --no-announce? is this PC on the same LAN (guest Wi-Fi and routed VLANs block multicast)?`,
    );
  }
  return 0;
}

function toJson(server: FoundServer, protocol: ServiceProtocol): FoundServerJson {
  const { txt } = server;
  // An IPv4 address works from any PC on the LAN; a link-local IPv6 one would need a %zone.
  const target = server.addresses.find((a) => !a.includes(":")) ?? server.host;
  const framing = txt.framing && txt.framing !== "line" ? ` --framing ${txt.framing}` : "";
  const tls = txt.tls ? ` --tls --fingerprint ${txt.tls}` : "";
  const script = protocol === "tcp"
    ? `${commandFor("client.ts")}${framing}${tls}`
    : `${commandFor("udp.ts")} client`;
  const command = `${script} --host ${target} --port ${server.port}`;
  // The name is looked up anew each time; the port comes with it.
  const commandByName = `${script} --host ${shellWord(server.name)}`;
  return {
    name: server.name,
    host: server.host,
    addresses: server.addresses,
    port: server.port,
    mode: txt.mode ?? null,
    framing: txt.framing ?? null,
    tls: txt.tls ?? null,
    version: txt.version ?? null,
    command,
    commandByName,
  };
}

// Quoted only when it must be: a name with a space or a symbol. Double quotes
// work alike in sh, PowerShell and cmd for what a --name usually holds.
function shellWord(text: string): string {
  if (/^[A-Za-z0-9_.@+=,\/-]+$/.test(text)) return text;
  return `"${text.replace(/(["\\$`])/g, "\\$1")}"`;
}
