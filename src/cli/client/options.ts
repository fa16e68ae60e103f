import { escapeControl } from "../../bytes/mod.ts";
import type { ExpectName, Lang } from "../../check/mod.ts";
import { describeError, UsageError } from "../../errors/mod.ts";
import {
  createFraming,
  DEFAULT_MAX_FRAME_BYTES,
  FramingError,
  type FramingName,
} from "../../framing/mod.ts";
import { MIN_PATTERN_BYTES } from "../../measure/mod.ts";
import type { SendOptions } from "../../tcp/mod.ts";
import {
  type ClassFlags,
  classFlags,
  expectFlag,
  langFlag,
  refuseWithCheck,
} from "../check/mod.ts";
import { targetFlags } from "../discovery/mod.ts";
import {
  choiceFlag,
  CHUNK_FLAGS,
  COMMON_FLAGS,
  durationFlag,
  framingFlag,
  integerFlag,
  NAGLE_FLAG,
  parseFlags,
  pieceFlags,
} from "../mod.ts";
import { CLIENT_TLS_FLAGS, type ClientTlsChoice, clientTlsChoice } from "../tls/mod.ts";

const MAX_FRAME_LIMIT = 0xffffffff;
const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const MAX_COUNT = 1_000_000;
const MAX_INTERVAL_MS = 60 * 60 * 1000;
const DEFAULT_INTERVAL_MS = 1000;
const MAX_BENCH_MS = 24 * 60 * 60 * 1000;
// 1 KiB lines like a chatty protocol; 64 KiB frames like a bulk transfer.
const DEFAULT_BENCH_SIZE = { line: 1024, length: 64 * 1024 } as const;
// One-way runs write blocks of 128 KiB, iperf3's TCP default (-l), so the two compare like for like.
const DEFAULT_BLOCK_BYTES = 128 * 1024;
const MAX_BLOCK_BYTES = 16 * 1024 * 1024;
// iperf3 allows up to 128 parallel streams.
const MAX_PARALLEL = 128;
const DIRECTIONS = ["both", "up", "down"] as const;

/** What `client.ts` does once connected. */
export type ClientTask =
  | { kind: "messages"; messages: string[] }
  | { kind: "ping"; count: number; intervalMs: number }
  | { kind: "duplex" }
  | { kind: "check"; expect: ExpectName; lang: Lang; class?: ClassFlags }
  | { kind: "find"; timeoutMs: number }
  | {
    kind: "bench";
    seconds: number;
    /** Bytes per message (both) or per write (up). */
    size: number;
    direction: (typeof DIRECTIONS)[number];
    parallel: number;
  };

/** How `client.ts` was asked to run. */
export interface ClientOptions {
  host: string;
  port: number;
  /** Whether --port (or HOST:PORT) named the port: then it wins over an instance's own. */
  portGiven: boolean;
  framing: FramingName;
  maxFrameBytes: number;
  /** For connecting and for each reply. */
  timeoutMs: number;
  verbose: boolean;
  /** Narration as JSON Lines on stderr; with `--bench`, the report as one JSON object on stdout. */
  json: boolean;
  hex: boolean;
  task: ClientTask;
  /** --tls, with how the server is trusted; undefined for plain TCP. */
  tls: ClientTlsChoice | undefined;
  /** --nagle, and --chunk with --chunk-delay: how messages are written. */
  sending: SendOptions;
}

const CLIENT_FLAGS = {
  ...COMMON_FLAGS,
  host: { type: "string", default: "127.0.0.1" },
  timeout: { type: "string", short: "t", default: "5" },
  count: { type: "string", short: "c" },
  interval: { type: "string", short: "i" },
  "max-frame": { type: "string", default: String(DEFAULT_MAX_FRAME_BYTES) },
  bench: { type: "string" },
  size: { type: "string" },
  direction: { type: "string", short: "d" },
  parallel: { type: "string", short: "P" },
  check: { type: "boolean", default: false },
  find: { type: "boolean", default: false },
  expect: { type: "string" },
  lang: { type: "string" },
  class: { type: "string" },
  report: { type: "string" },
  watch: { type: "string" },
  ...CLIENT_TLS_FLAGS,
  ...CHUNK_FLAGS,
  ...NAGLE_FLAG,
} as const;

/**
 * Reads `client.ts`'s command line; `"help"` when help was asked for.
 * @throws {UsageError} naming the flag, the rule and the value.
 */
export function parseClientOptions(args: string[]): ClientOptions | "help" {
  const { values, positionals, given } = parseFlags(args, CLIENT_FLAGS, true);
  if (values.help) return "help";
  const framing = framingFlag(values.framing);
  const maxFrameBytes = integerFlag("max-frame", values["max-frame"], 1, MAX_FRAME_LIMIT);
  const timeoutMs = durationFlag("timeout", values.timeout, 1, MAX_TIMEOUT_MS);
  if (values.expect !== undefined && !values.check) {
    throw new UsageError("--expect only applies with --check");
  }
  const classFlag = (["lang", "class", "report", "watch"] as const).find((name) =>
    values[name] !== undefined
  );
  if (classFlag !== undefined && !values.check) {
    throw new UsageError(`--${classFlag} only applies with --check`);
  }
  // A bench and a check write on their own connections, in their own way.
  if (
    (values.chunk !== undefined || values.nagle) && (values.check || values.bench !== undefined)
  ) {
    throw new UsageError(
      `--${values.chunk === undefined ? "nagle" : "chunk"} does not combine with --${
        values.check ? "check" : "bench"
      }: it applies to messages, the full-duplex mode and --count`,
    );
  }
  return {
    ...targetFlags(values.host, values.port, given.has("port"), 1),
    framing,
    maxFrameBytes,
    timeoutMs,
    verbose: values.verbose,
    json: values.json,
    hex: values.hex,
    tls: clientTlsChoice(values),
    sending: { nagle: values.nagle, pieces: pieceFlags(values.chunk, values["chunk-delay"]) },
    task: values.find
      ? parseFind(values, positionals, given.has("timeout") ? timeoutMs : DEFAULT_FIND_MS)
      : values.check
      ? parseCheck(values, positionals)
      : values.bench === undefined
      ? parseTask(
        values.direction ?? values.parallel,
        values.count,
        values.interval,
        values.size,
        positionals,
        framing,
        maxFrameBytes,
      )
      : parseBench(values, positionals, framing, maxFrameBytes),
  };
}

// Long enough for every responder's randomized 20-120 ms answer and one lost packet.
const DEFAULT_FIND_MS = 2000;

function parseFind(
  values: Record<string, unknown>,
  messages: string[],
  timeoutMs: number,
): ClientTask {
  const others = ["check", "bench", "count", "interval", "size", "direction", "parallel", "tls"];
  const given = others.find((name) => values[name] !== undefined && values[name] !== false);
  if (messages.length > 0 || given !== undefined) {
    throw new UsageError(
      `--find only lists the servers on the LAN: give it alone (with --timeout, --json), not ${
        given === undefined ? "MESSAGE" : `--${given}`
      }`,
    );
  }
  return { kind: "find", timeoutMs };
}

function parseCheck(
  values:
    & { expect?: string; lang?: string; verbose: boolean; hex: boolean }
    & { class?: string; parallel?: string; report?: string; watch?: string }
    & Record<string, unknown>,
  messages: string[],
): ClientTask {
  refuseWithCheck([
    { name: "MESSAGE", present: messages.length > 0 },
    ...["count", "interval", "bench", "size", "direction"].map((name) => ({
      name: `--${name}`,
      present: values[name] !== undefined,
    })),
    { name: "--verbose", present: values.verbose },
    { name: "--hex", present: values.hex },
  ]);
  const ofClass = classFlags(values);
  return {
    kind: "check",
    expect: expectFlag(values.expect),
    lang: langFlag(values.lang),
    ...(ofClass ? { class: ofClass } : {}),
  };
}

function parseBench(
  values: {
    bench?: string;
    size?: string;
    direction?: string;
    parallel?: string;
    count?: string;
    interval?: string;
    verbose: boolean;
    hex: boolean;
  },
  messages: string[],
  framing: FramingName,
  maxFrameBytes: number,
): ClientTask {
  const seconds = durationFlag("bench", values.bench!, 100, MAX_BENCH_MS) / 1000;
  if (messages.length > 0 || values.count !== undefined || values.interval !== undefined) {
    throw new UsageError(
      "--bench sends its own messages: give --bench alone, without MESSAGE, --count or --interval",
    );
  }
  // Narration prints a line per read: at bench rates it would swamp the terminal and the measurement.
  if (values.verbose || values.hex) {
    throw new UsageError(
      "--bench cannot be combined with --verbose or --hex (they would print every read)",
    );
  }
  const direction = choiceFlag("direction", values.direction ?? "both", DIRECTIONS);
  const parallel = values.parallel === undefined
    ? 1
    : integerFlag("parallel", values.parallel, 1, MAX_PARALLEL);
  if (direction !== "both") {
    // Raw bytes both ways: framing plays no part, so the block is iperf3's.
    if (direction === "down" && values.size !== undefined) {
      throw new UsageError(
        "--size sets what is written: it applies to --direction up and both, not down",
      );
    }
    const size = values.size === undefined
      ? DEFAULT_BLOCK_BYTES
      : integerFlag("size", values.size, 1, MAX_BLOCK_BYTES);
    return { kind: "bench", seconds, size, direction, parallel };
  }
  const size = values.size === undefined
    ? Math.min(DEFAULT_BENCH_SIZE[framing], maxFrameBytes)
    : integerFlag("size", values.size, MIN_PATTERN_BYTES, maxFrameBytes);
  if (size < MIN_PATTERN_BYTES) {
    throw new UsageError(
      `--max-frame must be at least ${MIN_PATTERN_BYTES} for --bench, got '${maxFrameBytes}'`,
    );
  }
  return { kind: "bench", seconds, size, direction, parallel };
}

function parseTask(
  benchOnly: string | undefined,
  count: string | undefined,
  interval: string | undefined,
  size: string | undefined,
  messages: string[],
  framing: FramingName,
  maxFrameBytes: number,
): ClientTask {
  if (size !== undefined) throw new UsageError("--size only applies with --bench");
  if (benchOnly !== undefined) {
    throw new UsageError("--direction and --parallel only apply with --bench");
  }
  if (count === undefined) {
    if (interval !== undefined) throw new UsageError("--interval only applies with --count");
    if (messages.length === 0) return { kind: "duplex" };
    checkSendable(messages, framing, maxFrameBytes);
    return { kind: "messages", messages };
  }
  if (messages.length > 0) {
    throw new UsageError("--count sends its own probes: give --count or messages, not both");
  }
  return {
    kind: "ping",
    count: integerFlag("count", count, 1, MAX_COUNT),
    intervalMs: interval === undefined
      ? DEFAULT_INTERVAL_MS
      : durationFlag("interval", interval, 0, MAX_INTERVAL_MS),
  };
}

// Caught before connecting, so a message the framing cannot carry is a usage error, not half a conversation.
function checkSendable(messages: string[], framing: FramingName, maxFrameBytes: number): void {
  const encoder = createFraming(framing, maxFrameBytes);
  const utf8 = new TextEncoder();
  messages.forEach((message, index) => {
    try {
      encoder.encode(utf8.encode(message));
    } catch (error) {
      if (!(error instanceof FramingError)) throw error;
      const shown = escapeControl(message.length > 40 ? `${message.slice(0, 40)}...` : message);
      throw new UsageError(
        `MESSAGE ${index + 1} '${shown}' cannot be sent: ${describeError(error)}`,
      );
    }
  });
}
