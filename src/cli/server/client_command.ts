import { DEFAULT_MAX_FRAME_BYTES, type FramingName } from "../../framing/mod.ts";
import { commandFor } from "../mod.ts";

/**
 * The command another PC types to reach this server, on the runtime this one
 * runs on, with the flags that must match (host and port are added by the banner).
 */
export function clientCommandFor(framing: FramingName, maxFrameBytes: number): string {
  const base = commandFor("client.ts");
  const framingFlag = framing === "line" ? "" : ` --framing ${framing}`;
  const maxFrameFlag = maxFrameBytes === DEFAULT_MAX_FRAME_BYTES
    ? ""
    : ` --max-frame ${maxFrameBytes}`;
  return `${base}${framingFlag}${maxFrameFlag}`;
}
