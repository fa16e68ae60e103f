import { echo } from "../echo.ts";
import type { ServerMode } from "./types.ts";

/** Answers each message with its exact bytes, so binary payloads survive length framing. */
export function echoMode(): ServerMode {
  return { handler: echo };
}
