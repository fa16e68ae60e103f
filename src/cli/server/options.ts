import type { CidrRange } from "../../cidr.ts";
import { DEFAULT_MAX_FRAME_BYTES, type FramingName } from "../../framing/mod.ts";
import { MODE_NAMES, type ModeName } from "../../modes/mod.ts";
import {
  choiceFlag,
  cidrFlags,
  COMMON_FLAGS,
  framingFlag,
  hostFlag,
  integerFlag,
  numberFlag,
  parseFlags,
  portFlag,
} from "../flags.ts";

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
}

const SERVER_FLAGS = {
  ...COMMON_FLAGS,
  host: { type: "string", default: "127.0.0.1" },
  mode: { type: "string", short: "m", default: "echo" },
  "max-frame": { type: "string", default: String(DEFAULT_MAX_FRAME_BYTES) },
  "max-conns": { type: "string" },
  "idle-timeout": { type: "string" },
  allow: { type: "string", multiple: true },
  deny: { type: "string", multiple: true },
} as const;

/**
 * Reads `server.ts`'s command line; `"help"` when help was asked for.
 * @throws {UsageError} naming the flag, the rule and the value.
 */
export function parseServerOptions(args: string[]): ServerOptions | "help" {
  const { values } = parseFlags(args, SERVER_FLAGS, false);
  if (values.help) return "help";
  return {
    host: hostFlag(values.host),
    port: portFlag(values.port),
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
      : Math.round(numberFlag("idle-timeout", values["idle-timeout"], 0.01, 86_400) * 1000),
    allow: cidrFlags("allow", values.allow),
    deny: cidrFlags("deny", values.deny),
  };
}
