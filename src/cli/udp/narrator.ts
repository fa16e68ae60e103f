import type { TraceSink } from "../../message/mod.ts";
import { createNarrator } from "../narration/mod.ts";

/**
 * The trace sink for `--json` and `--hex`. `-v` keeps udp.ts's own
 * per-datagram lines, so the narrator does not repeat them.
 */
export function udpNarrator(options: { json: boolean; hex: boolean }): TraceSink | undefined {
  return createNarrator({ verbose: false, json: options.json, hex: options.hex });
}
