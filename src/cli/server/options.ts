import type { CidrRange } from "../../address/mod.ts";
import { UsageError } from "../../errors/mod.ts";
import { DEFAULT_MAX_FRAME_BYTES, type FramingName } from "../../framing/mod.ts";
import { MODE_NAMES, type ModeName } from "../../modes/mod.ts";
import { MAX_SEED } from "../../udp/mod.ts";
import { ANNOUNCE_FLAGS, type AnnounceChoice, announceChoice } from "../discovery/mod.ts";
import {
  choiceFlag,
  cidrFlags,
  COMMON_FLAGS,
  durationFlag,
  endpointFlags,
  framingFlag,
  integerFlag,
  type JitteredDuration,
  jitteredDurationFlag,
  NAGLE_FLAG,
  parseFlags,
} from "../mod.ts";
import { SERVER_TLS_FLAGS, type ServerTlsChoice, serverTlsChoice } from "../tls/mod.ts";

/** The largest --max-frame: what a 4-byte length prefix can announce. */
const MAX_FRAME_LIMIT = 0xffffffff;

/** How `server.ts` was asked to run. */
export interface ServerOptions {
  host: string;
  port: number;
  mode: ModeName;
  framing: FramingName;
  maxFrameBytes: number;
  verbose: boolean;
  json: boolean;
  hex: boolean;
  /** Most clients at once (--max-conns); undefined for no limit. */
  maxConnections: number | undefined;
  /** Close a client that completes no message for this long (--idle-timeout). */
  idleTimeoutMs: number | undefined;
  allow: CidrRange[];
  deny: CidrRange[];
  /** --tls, with the certificate's source; undefined for plain TCP. */
  tls: ServerTlsChoice | undefined;
  /** --nagle: small replies wait for the ACK of earlier data (default TCP_NODELAY). */
  nagle: boolean;
  /** --delay: how long each reply is held before it is written. */
  replyDelay: JitteredDuration | undefined;
  /** --seed: where the --delay jitter starts, for a run a class can repeat. */
  seed: number | undefined;
  /** --name, or false with --no-announce: how the server is announced on the LAN. */
  announce: AnnounceChoice;
}

// Past this a lab is waiting, not watching latency; a closing connection waits this long more.
const MAX_REPLY_DELAY_MS = 10_000;

const SERVER_FLAGS = {
  ...COMMON_FLAGS,
  host: { type: "string", default: "127.0.0.1" },
  mode: { type: "string", short: "m", default: "echo" },
  "max-frame": { type: "string", default: String(DEFAULT_MAX_FRAME_BYTES) },
  "max-conns": { type: "string" },
  "idle-timeout": { type: "string" },
  allow: { type: "string", multiple: true },
  deny: { type: "string", multiple: true },
  ...SERVER_TLS_FLAGS,
  ...NAGLE_FLAG,
  delay: { type: "string" },
  seed: { type: "string" },
  ...ANNOUNCE_FLAGS,
} as const;

/**
 * Reads `server.ts`'s command line; `"help"` when help was asked for.
 * @throws {UsageError} naming the flag, the rule and the value.
 */
export function parseServerOptions(args: string[]): ServerOptions | "help" {
  const { values, given } = parseFlags(args, SERVER_FLAGS, false);
  if (values.help) return "help";
  if (values.seed !== undefined && values.delay === undefined) {
    throw new UsageError("--seed only applies with --delay (it repeats the jitter)");
  }
  return {
    ...endpointFlags(values.host, values.port, given.has("port"), 0),
    mode: choiceFlag("mode", values.mode, MODE_NAMES),
    framing: framingFlag(values.framing),
    maxFrameBytes: integerFlag("max-frame", values["max-frame"], 1, MAX_FRAME_LIMIT),
    verbose: values.verbose,
    json: values.json,
    hex: values.hex,
    maxConnections: values["max-conns"] === undefined
      ? undefined
      : integerFlag("max-conns", values["max-conns"], 1, 1_000_000),
    idleTimeoutMs: values["idle-timeout"] === undefined
      ? undefined
      : durationFlag("idle-timeout", values["idle-timeout"], 10, 86_400_000),
    allow: cidrFlags("allow", values.allow),
    deny: cidrFlags("deny", values.deny),
    tls: serverTlsChoice(values),
    nagle: values.nagle,
    replyDelay: values.delay === undefined
      ? undefined
      : jitteredDurationFlag("delay", values.delay, MAX_REPLY_DELAY_MS),
    seed: values.seed === undefined ? undefined : integerFlag("seed", values.seed, 0, MAX_SEED),
    announce: announceChoice(values),
  };
}
