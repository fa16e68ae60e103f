import { UsageError } from "../errors/mod.ts";
import type { PieceOptions } from "../tcp/mod.ts";
import { durationFlag } from "./duration.ts";
import { integerFlag } from "./flags.ts";

/** `--nagle`, for server.ts and client.ts. */
export const NAGLE_FLAG = { nagle: { type: "boolean", default: false } } as const;

/** `--chunk` and `--chunk-delay`, for client.ts. */
export const CHUNK_FLAGS = {
  chunk: { type: "string" },
  "chunk-delay": { type: "string" },
} as const;

/**
 * The pause between pieces when --chunk-delay is not given. Longer than the
 * receiver's delayed-ACK timer (40 ms at least on Linux), so each piece is
 * acknowledged before the next and leaves as its own segment even with
 * --nagle; and long enough that a student watching -v sees them arrive one by one.
 */
export const DEFAULT_CHUNK_DELAY_MS = 200;
const MAX_CHUNK_BYTES = 1024 * 1024;
// Longer pauses keep a closing client waiting for nothing a lab needs.
const MAX_CHUNK_DELAY_MS = 10_000;

/**
 * Reads --chunk and --chunk-delay; `undefined` when messages go out whole.
 * @throws {UsageError} for a bad size or duration, or --chunk-delay alone.
 */
export function pieceFlags(
  chunk: string | undefined,
  chunkDelay: string | undefined,
): PieceOptions | undefined {
  if (chunk === undefined) {
    if (chunkDelay !== undefined) {
      throw new UsageError("--chunk-delay only applies with --chunk BYTES");
    }
    return undefined;
  }
  return {
    bytes: integerFlag("chunk", chunk, 1, MAX_CHUNK_BYTES),
    pauseMs: chunkDelay === undefined
      ? DEFAULT_CHUNK_DELAY_MS
      : durationFlag("chunk-delay", chunkDelay, 0, MAX_CHUNK_DELAY_MS),
  };
}
