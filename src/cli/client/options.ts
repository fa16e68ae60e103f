import { createFraming, DEFAULT_MAX_FRAME_BYTES, FramingError } from "../../framing/mod.ts";
import type { FramingName } from "../../framing/mod.ts";
import { escapeControl } from "../../terminal_text.ts";
import { MIN_PATTERN_BYTES } from "../bench/mod.ts";
import { describeError } from "../describe_error.ts";
import {
  COMMON_FLAGS,
  framingFlag,
  hostFlag,
  integerFlag,
  numberFlag,
  parseFlags,
} from "../flags.ts";
import { UsageError } from "../usage_error.ts";

const MAX_FRAME_LIMIT = 0xffffffff;
const MAX_TIMEOUT_SECONDS = 24 * 60 * 60;
const MAX_COUNT = 1_000_000;
const MAX_INTERVAL_MS = 60 * 60 * 1000;
const DEFAULT_INTERVAL_MS = 1000;
const MAX_BENCH_SECONDS = 24 * 60 * 60;
// 1 KiB lines like a chatty protocol; 64 KiB frames like a bulk transfer.
const DEFAULT_BENCH_SIZE = { line: 1024, length: 64 * 1024 } as const;

/** What `client.ts` does once connected. */
export type ClientTask =
  | { kind: "messages"; messages: string[] }
  | { kind: "ping"; count: number; intervalMs: number }
  | { kind: "duplex" }
  | { kind: "bench"; seconds: number; size: number };

/** How `client.ts` was asked to run. */
export interface ClientOptions {
  host: string;
  port: number;
  framing: FramingName;
  maxFrameBytes: number;
  /** For connecting and for each reply. */
  timeoutMs: number;
  verbose: boolean;
  /** Narration as JSON Lines on stderr; with `--bench`, the report as one JSON object on stdout. */
  json: boolean;
  hex: boolean;
  task: ClientTask;
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
} as const;

/**
 * Reads `client.ts`'s command line; `"help"` when help was asked for.
 * @throws {UsageError} naming the flag, the rule and the value.
 */
export function parseClientOptions(args: string[]): ClientOptions | "help" {
  const { values, positionals } = parseFlags(args, CLIENT_FLAGS, true);
  if (values.help) return "help";
  const framing = framingFlag(values.framing);
  const maxFrameBytes = integerFlag("max-frame", values["max-frame"], 1, MAX_FRAME_LIMIT);
  const seconds = numberFlag("timeout", values.timeout, 0.001, MAX_TIMEOUT_SECONDS);
  return {
    host: hostFlag(values.host),
    port: integerFlag("port", values.port, 1, 65535),
    framing,
    maxFrameBytes,
    timeoutMs: Math.round(seconds * 1000),
    verbose: values.verbose,
    json: values.json,
    hex: values.hex,
    task: values.bench === undefined
      ? parseTask(values.count, values.interval, values.size, positionals, framing, maxFrameBytes)
      : parseBench(values, positionals, framing, maxFrameBytes),
  };
}

function parseBench(
  values: {
    bench?: string;
    size?: string;
    count?: string;
    interval?: string;
    verbose: boolean;
    hex: boolean;
  },
  messages: string[],
  framing: FramingName,
  maxFrameBytes: number,
): ClientTask {
  const seconds = numberFlag("bench", values.bench!, 0.1, MAX_BENCH_SECONDS);
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
  const size = values.size === undefined
    ? Math.min(DEFAULT_BENCH_SIZE[framing], maxFrameBytes)
    : integerFlag("size", values.size, MIN_PATTERN_BYTES, maxFrameBytes);
  if (size < MIN_PATTERN_BYTES) {
    throw new UsageError(
      `--max-frame must be at least ${MIN_PATTERN_BYTES} for --bench, got '${maxFrameBytes}'`,
    );
  }
  return { kind: "bench", seconds, size };
}

function parseTask(
  count: string | undefined,
  interval: string | undefined,
  size: string | undefined,
  messages: string[],
  framing: FramingName,
  maxFrameBytes: number,
): ClientTask {
  if (size !== undefined) throw new UsageError("--size only applies with --bench");
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
      : integerFlag("interval", interval, 0, MAX_INTERVAL_MS),
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
