import type { CidrRange } from "../../cidr.ts";
import { DATAGRAM_MODE_NAMES, type DatagramModeName, MODE_NAMES } from "../../modes/mod.ts";
import type { TraceSink } from "../../trace.ts";
import { DEFAULT_MAX_DATAGRAM_BYTES, MAX_UDP_PAYLOAD_IPV6 } from "../../udp_endpoint.ts";
import { parseRate, UDP_BENCH_HEADER_BYTES } from "../bench/mod.ts";
import {
  choiceFlag,
  cidrFlags,
  COMMON_FLAGS,
  type FlagSpec,
  hostFlag,
  integerFlag,
  numberFlag,
  parseFlags,
  portFlag,
} from "../flags.ts";
import { createNarrator } from "../narration/narrator.ts";
import { UsageError } from "../usage_error.ts";

/** What the UDP server does with each datagram: the modes that make sense for datagrams. */
export type UdpServerMode = DatagramModeName;

/** Flags all three subcommands take. */
interface CommonOptions {
  host: string;
  port: number;
  verbose: boolean;
  /** Events as JSON Lines on stderr. */
  json: boolean;
  /** Every datagram as hex on stderr. */
  hex: boolean;
}

/** `udp.ts server` options. */
export interface UdpServerOptions extends CommonOptions {
  command: "server";
  mode: UdpServerMode;
  /** Largest datagram answered; larger ones are counted and dropped. */
  maxDatagramBytes: number;
  allow: CidrRange[];
  deny: CidrRange[];
}

/** `udp.ts client` options. */
export interface UdpClientOptions extends CommonOptions {
  command: "client";
  timeoutMs: number;
  retries: number;
  /** Messages from the command line; empty means read stdin. */
  messages: string[];
}

/** `udp.ts ping` options. */
export interface UdpPingOptions extends CommonOptions {
  command: "ping";
  count: number;
  intervalMs: number;
  timeoutMs: number;
}

/** `udp.ts bench` options. */
export interface UdpBenchOptions {
  command: "bench";
  host: string;
  port: number;
  /** The report as one JSON object on stdout instead of text. */
  json: boolean;
  seconds: number;
  /** Target sending rate of datagram payload, in bits per second. */
  bitsPerSecond: number;
  /** Bytes per datagram (UDP payload). */
  size: number;
}

/** Everything `udp.ts` can be asked to do. */
export type UdpCommand =
  | { command: "help" }
  | UdpServerOptions
  | UdpClientOptions
  | UdpPingOptions
  | UdpBenchOptions;

const { port, verbose, help, json, hex } = COMMON_FLAGS;
const BASE = {
  host: { type: "string", default: "127.0.0.1" },
  port,
  verbose,
  help,
  json,
  hex,
} as const;
// An hour: longer waits are surely a typo, and setTimeout misbehaves past 2^31 ms.
const MAX_MS = 3_600_000;
// iperf's default: one datagram fills one 1500-byte Ethernet frame with room to spare.
const DEFAULT_BENCH_DATAGRAM_BYTES = 1470;
const MAX_BENCH_SECONDS = 24 * 60 * 60;

const SPECS = {
  server: {
    ...BASE,
    mode: { type: "string", short: "m", default: "echo" },
    "max-datagram": { type: "string", default: String(DEFAULT_MAX_DATAGRAM_BYTES) },
    allow: { type: "string", multiple: true },
    deny: { type: "string", multiple: true },
  },
  client: {
    ...BASE,
    timeout: { type: "string", short: "t", default: "1000" },
    retries: { type: "string", short: "r", default: "2" },
  },
  ping: {
    ...BASE,
    count: { type: "string", short: "c", default: "5" },
    interval: { type: "string", short: "i", default: "1000" },
    timeout: { type: "string", short: "t", default: "1000" },
  },
  bench: {
    host: BASE.host,
    port,
    help,
    json,
    time: { type: "string", short: "t", default: "10" },
    rate: { type: "string", short: "b", default: "10M" },
    size: { type: "string", short: "l", default: String(DEFAULT_BENCH_DATAGRAM_BYTES) },
  },
} as const satisfies Record<string, FlagSpec>;

/**
 * Turns `udp.ts` arguments into typed options: a subcommand first, then its flags.
 * @throws {UsageError} naming the flag, the rule and the value.
 */
export function parseUdpArgs(args: string[]): UdpCommand {
  const [command, ...rest] = args;
  switch (command) {
    case undefined:
      throw new UsageError("missing command: server, client, ping or bench");
    case "-h":
    case "--help":
    case "help":
      return { command: "help" };
    case "server": {
      const { values } = parseFlags(rest, SPECS.server, false);
      if (values.help) return { command: "help" };
      return {
        command,
        ...common(values),
        mode: udpModeFlag(values.mode),
        maxDatagramBytes: integerFlag(
          "max-datagram",
          values["max-datagram"],
          1,
          DEFAULT_MAX_DATAGRAM_BYTES,
        ),
        allow: cidrFlags("allow", values.allow),
        deny: cidrFlags("deny", values.deny),
      };
    }
    case "client": {
      const { values, positionals } = parseFlags(rest, SPECS.client, true);
      if (values.help) return { command: "help" };
      return {
        command,
        ...common(values),
        timeoutMs: integerFlag("timeout", values.timeout, 1, MAX_MS),
        retries: integerFlag("retries", values.retries, 0, 100),
        messages: positionals,
      };
    }
    case "ping": {
      const { values } = parseFlags(rest, SPECS.ping, false);
      if (values.help) return { command: "help" };
      return {
        command,
        ...common(values),
        count: integerFlag("count", values.count, 1, 1_000_000),
        intervalMs: integerFlag("interval", values.interval, 1, MAX_MS),
        timeoutMs: integerFlag("timeout", values.timeout, 1, MAX_MS),
      };
    }
    case "bench": {
      const { values } = parseFlags(rest, SPECS.bench, false);
      if (values.help) return { command: "help" };
      return {
        command,
        host: hostFlag(values.host),
        port: integerFlag("port", values.port, 1, 65535),
        json: values.json,
        seconds: numberFlag("time", values.time, 0.1, MAX_BENCH_SECONDS),
        bitsPerSecond: parseRate("rate", values.rate),
        // The exact limit depends on the server's IP version, checked once it is resolved.
        size: integerFlag("size", values.size, UDP_BENCH_HEADER_BYTES, MAX_UDP_PAYLOAD_IPV6),
      };
    }
    default:
      throw new UsageError(`unknown command '${command}': use server, client, ping or bench`);
  }
}

// Modes that need TCP's connections (chat): asking for one gets a pointer to server.ts.
const TCP_ONLY_MODES = new Set<string>(MODE_NAMES);
for (const name of DATAGRAM_MODE_NAMES) TCP_ONLY_MODES.delete(name);

function udpModeFlag(value: string): UdpServerMode {
  if (!TCP_ONLY_MODES.has(value)) return choiceFlag("mode", value, DATAGRAM_MODE_NAMES);
  throw new UsageError(
    `--mode must be one of ${DATAGRAM_MODE_NAMES.join(", ")}, got '${value}' `
      + `(${value} needs TCP connections: use server.ts --mode ${value})`,
  );
}

function common(
  values: { host: string; port: string; verbose: boolean; json: boolean; hex: boolean },
): CommonOptions {
  return {
    host: hostFlag(values.host),
    port: portFlag(values.port),
    verbose: values.verbose,
    json: values.json,
    hex: values.hex,
  };
}

/**
 * The trace sink for `--json` and `--hex`. `-v` keeps udp.ts's own
 * per-datagram lines, so the narrator does not repeat them.
 */
export function udpNarrator(options: CommonOptions): TraceSink | undefined {
  return createNarrator({ verbose: false, json: options.json, hex: options.hex });
}
