import type { CidrRange } from "../../address/mod.ts";
import type { ExpectName, Lang } from "../../check/mod.ts";
import { UsageError } from "../../errors/mod.ts";
import { UDP_BENCH_HEADER_BYTES } from "../../measure/mod.ts";
import { DATAGRAM_MODE_NAMES, type DatagramModeName, MODE_NAMES } from "../../modes/mod.ts";
import { DEFAULT_MAX_DATAGRAM_BYTES, MAX_UDP_PAYLOAD_IPV6 } from "../../udp/mod.ts";
import { type ClassFlags, classFlags, expectFlag, langFlag } from "../check/mod.ts";
import {
  ANNOUNCE_FLAGS,
  type AnnounceChoice,
  announceChoice,
  targetFlags,
} from "../discovery/mod.ts";
import {
  choiceFlag,
  cidrFlags,
  COMMON_FLAGS,
  durationFlag,
  type FlagSpec,
  integerFlag,
  parseFlags,
  programName,
} from "../mod.ts";
import { parseRate } from "../throughput/mod.ts";
import { countFlag, type UdpBenchCount } from "./bench_bound.ts";
import { FAULT_FLAG_SPECS, faultFlags, type FaultSettings } from "./fault_flags.ts";

/** What the UDP server does with each datagram: the modes that make sense for datagrams. */
export type UdpServerMode = DatagramModeName;

/** Flags all three subcommands take. */
interface CommonOptions {
  host: string;
  port: number;
  /** Whether --port (or HOST:PORT) named the port: then it wins over an instance's own. */
  portGiven: boolean;
  verbose: boolean;
  /** Events as JSON Lines on stderr. */
  json: boolean;
  /** Every datagram as hex on stderr. */
  hex: boolean;
  /** Faults injected on purpose (`--drop`, `--delay`, `--dup`, `--reorder`); none when undefined. */
  faults: FaultSettings | undefined;
}

/** `udp.ts server` options. */
export interface UdpServerOptions extends CommonOptions {
  command: "server";
  mode: UdpServerMode;
  /** Largest datagram answered; larger ones are counted and dropped. */
  maxDatagramBytes: number;
  allow: CidrRange[];
  deny: CidrRange[];
  /** --name, or false with --no-announce: how the server is announced on the LAN. */
  announce: AnnounceChoice;
  /** --stream-max: the fastest stream chargen sends a bench --direction down, in bit/s. */
  streamMaxBitsPerSecond: number;
}

/** `udp.ts find` options: list the UDP servers on the LAN. */
export interface UdpFindOptions {
  command: "find";
  timeoutMs: number;
  json: boolean;
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
  /** Whether --port (or HOST:PORT) named the port: then it wins over an instance's own. */
  portGiven: boolean;
  /** The report as one JSON object on stdout instead of text. */
  json: boolean;
  seconds: number;
  /** Target sending rate of datagram payload, in bits per second. */
  bitsPerSecond: number;
  /**
   * Bytes per datagram (UDP payload): sent (up, both), or streamed by
   * socklab's chargen (down, as iperf3 -R -l); another chargen answers its own size.
   */
  size: number;
  /** up: to a discard server; down: from a chargen server; both: off an echo server. */
  direction: UdpBenchDirection;
  /** --bytes or --blockcount: the run ends after this many sends instead of at `seconds`. */
  count: UdpBenchCount | undefined;
  /** Faults injected on purpose; none when undefined. */
  faults: FaultSettings | undefined;
}

/** Which way a UDP bench's data goes, seen from the client. */
export type UdpBenchDirection = (typeof UDP_BENCH_DIRECTIONS)[number];
const UDP_BENCH_DIRECTIONS = ["up", "down", "both"] as const;

/** `udp.ts check` options: judge a UDP server by its behaviour. */
export interface UdpCheckOptions {
  command: "check";
  host: string;
  port: number;
  /** Whether --port (or HOST:PORT) named the port: then it wins over an instance's own. */
  portGiven: boolean;
  /** How long to wait for each reply. */
  timeoutMs: number;
  expect: ExpectName;
  /** The language of the report's texts (`--lang`, else the system's locale). */
  lang: Lang;
  /** The report as one JSON object on stdout instead of text. */
  json: boolean;
  /** --class FILE and its flags: judge every student's server; undefined for one server. */
  class?: ClassFlags;
}

/** Everything `udp.ts` can be asked to do. */
export type UdpCommand =
  | UdpCheckOptions
  | { command: "help" }
  | UdpFindOptions
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
  ...FAULT_FLAG_SPECS,
} as const;
// An hour: longer waits are surely a typo, and setTimeout misbehaves past 2^31 ms.
const MAX_MS = 3_600_000;
// iperf's default: one datagram fills one 1500-byte Ethernet frame with room to spare.
const DEFAULT_BENCH_DATAGRAM_BYTES = 1470;
const MAX_BENCH_MS = 24 * 60 * 60 * 1000;

const SPECS = {
  server: {
    ...BASE,
    mode: { type: "string", short: "m", default: "echo" },
    "max-datagram": { type: "string", default: String(DEFAULT_MAX_DATAGRAM_BYTES) },
    // As iperf3 -s's --server-bitrate-limit, but off by default only up to 10G.
    "stream-max": { type: "string", default: "10G" },
    allow: { type: "string", multiple: true },
    deny: { type: "string", multiple: true },
    ...ANNOUNCE_FLAGS,
  },
  find: {
    help,
    json,
    // Long enough for every responder's randomized 20-120 ms answer and one lost packet.
    timeout: { type: "string", short: "t", default: "2" },
  },
  client: {
    ...BASE,
    timeout: { type: "string", short: "t", default: "1" },
    retries: { type: "string", short: "r", default: "2" },
  },
  ping: {
    ...BASE,
    count: { type: "string", short: "c", default: "5" },
    interval: { type: "string", short: "i", default: "1" },
    timeout: { type: "string", short: "t", default: "1" },
  },
  check: {
    host: BASE.host,
    port,
    help,
    json,
    timeout: { type: "string", short: "t", default: "1" },
    expect: { type: "string" },
    lang: { type: "string" },
    class: { type: "string" },
    parallel: { type: "string", short: "P" },
    report: { type: "string" },
    watch: { type: "string" },
  },
  bench: {
    host: BASE.host,
    port,
    help,
    json,
    time: { type: "string", short: "t", default: "10" },
    rate: { type: "string", short: "b", default: "10M" },
    size: { type: "string", short: "l", default: String(DEFAULT_BENCH_DATAGRAM_BYTES) },
    direction: { type: "string", short: "d", default: "both" },
    bytes: { type: "string", short: "n" },
    blockcount: { type: "string", short: "k" },
    ...FAULT_FLAG_SPECS,
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
      throw new UsageError("missing command: server, client, ping, bench, check or find");
    case "-h":
    case "--help":
    case "help":
      return { command: "help" };
    case "server": {
      const { values, given } = parseFlags(rest, SPECS.server, false);
      if (values.help) return { command: "help" };
      return {
        command,
        ...common(values, given),
        mode: udpModeFlag(values.mode),
        maxDatagramBytes: integerFlag(
          "max-datagram",
          values["max-datagram"],
          1,
          DEFAULT_MAX_DATAGRAM_BYTES,
        ),
        allow: cidrFlags("allow", values.allow),
        deny: cidrFlags("deny", values.deny),
        announce: announceChoice(values),
        streamMaxBitsPerSecond: parseRate("stream-max", values["stream-max"]),
      };
    }
    case "find": {
      const { values } = parseFlags(rest, SPECS.find, false);
      if (values.help) return { command: "help" };
      return {
        command,
        timeoutMs: durationFlag("timeout", values.timeout, 1, MAX_MS),
        json: values.json,
      };
    }
    case "client": {
      const { values, positionals, given } = parseFlags(rest, SPECS.client, true);
      if (values.help) return { command: "help" };
      return {
        command,
        ...common(values, given),
        timeoutMs: durationFlag("timeout", values.timeout, 1, MAX_MS),
        retries: integerFlag("retries", values.retries, 0, 100),
        messages: positionals,
      };
    }
    case "ping": {
      const { values, given } = parseFlags(rest, SPECS.ping, false);
      if (values.help) return { command: "help" };
      return {
        command,
        ...common(values, given),
        count: integerFlag("count", values.count, 1, 1_000_000),
        intervalMs: durationFlag("interval", values.interval, 1, MAX_MS),
        timeoutMs: durationFlag("timeout", values.timeout, 1, MAX_MS),
      };
    }
    case "bench": {
      const { values, given } = parseFlags(rest, SPECS.bench, false);
      if (values.help) return { command: "help" };
      const direction = choiceFlag("direction", values.direction, UDP_BENCH_DIRECTIONS);
      return {
        command,
        ...targetFlags(values.host, values.port, given.has("port"), 1),
        json: values.json,
        direction,
        seconds: durationFlag("time", values.time, 100, MAX_BENCH_MS) / 1000,
        count: benchCount(values.bytes, values.blockcount, given.has("time")),
        bitsPerSecond: parseRate("rate", values.rate),
        // The exact limit depends on the server's IP version, checked once it is resolved.
        size: integerFlag("size", values.size, UDP_BENCH_HEADER_BYTES, MAX_UDP_PAYLOAD_IPV6),
        faults: faultFlags(values),
      };
    }
    case "check": {
      const { values, given } = parseFlags(rest, SPECS.check, false);
      if (values.help) return { command: "help" };
      const ofClass = classFlags(values);
      return {
        command,
        ...targetFlags(values.host, values.port, given.has("port"), 1),
        timeoutMs: durationFlag("timeout", values.timeout, 1, MAX_MS),
        expect: expectFlag(values.expect),
        lang: langFlag(values.lang),
        json: values.json,
        ...(ofClass ? { class: ofClass } : {}),
      };
    }
    default:
      throw new UsageError(
        `unknown command '${command}': use server, client, ping, bench, check or find`,
      );
  }
}

// Modes that need TCP's connections (chat): asking for one gets a pointer to server.ts.
const TCP_ONLY_MODES = new Set<string>(MODE_NAMES);
for (const name of DATAGRAM_MODE_NAMES) TCP_ONLY_MODES.delete(name);

function udpModeFlag(value: string): UdpServerMode {
  if (!TCP_ONLY_MODES.has(value)) return choiceFlag("mode", value, DATAGRAM_MODE_NAMES);
  throw new UsageError(
    `--mode must be one of ${DATAGRAM_MODE_NAMES.join(", ")}, got '${value}' `
      + `(${value} needs TCP connections: use ${programName("server.ts")} --mode ${value})`,
  );
}

function common(
  values: Parameters<typeof faultFlags>[0] & {
    host: string;
    port: string;
    verbose: boolean;
    json: boolean;
    hex: boolean;
  },
  given: ReadonlySet<string>,
): CommonOptions {
  return {
    ...targetFlags(values.host, values.port, given.has("port"), 0),
    verbose: values.verbose,
    json: values.json,
    hex: values.hex,
    faults: faultFlags(values),
  };
}

// One bound per run, as iperf3 takes -t, -n or -k: two would leave which one ended it to chance.
function benchCount(
  bytes: string | undefined,
  blockcount: string | undefined,
  timeGiven: boolean,
): UdpBenchCount | undefined {
  const given = [
    timeGiven && "--time",
    bytes !== undefined && "--bytes",
    blockcount !== undefined && "--blockcount",
  ]
    .filter((flag) => flag !== false);
  if (given.length > 1) {
    throw new UsageError(
      `${
        given.join(" and ")
      } each end the run: give one (--time for a duration, --bytes or --blockcount for a count)`,
    );
  }
  if (bytes !== undefined) return { bytes: countFlag("bytes", bytes) };
  if (blockcount !== undefined) return { datagrams: countFlag("blockcount", blockcount) };
  return undefined;
}
