import { echo } from "../message/mod.ts";
import type { DatagramMode } from "./types.ts";

/** Answers each message with its exact bytes, so binary payloads survive length framing. */
export function echoMode(): DatagramMode {
  // `echo` itself, not a wrapper: the TCP server recognises it and echoes whole runs of frames.
  return { handler: echo };
}
