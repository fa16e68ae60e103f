import { UsageError } from "../../errors/mod.ts";

/** `--name` and `--no-announce`, shared by server.ts and udp.ts server. */
export const ANNOUNCE_FLAGS = {
  name: { type: "string" },
  "no-announce": { type: "boolean", default: false },
} as const;

/** Whether to announce, and under which instance name (undefined: host name and mode). */
export type AnnounceChoice = { readonly name: string | undefined } | false;

// A DNS label holds at most 63 bytes (RFC 6763 section 4.1.1).
const MAX_NAME_BYTES = 63;

/**
 * Reads the two flags.
 * @throws {UsageError} for a name a DNS-SD instance cannot carry.
 */
export function announceChoice(values: { name?: string; "no-announce": boolean }): AnnounceChoice {
  if (values["no-announce"]) {
    if (values.name !== undefined) {
      throw new UsageError("--name names the announcement: drop --no-announce");
    }
    return false;
  }
  const name = values.name;
  if (name !== undefined) {
    const bytes = new TextEncoder().encode(name).length;
    // deno-lint-ignore no-control-regex
    if (bytes === 0 || bytes > MAX_NAME_BYTES || /[\u0000-\u001f\u007f]/.test(name)) {
      throw new UsageError(
        `--name must be 1 to ${MAX_NAME_BYTES} bytes of printable text, got ${
          JSON.stringify(name)
        }`,
      );
    }
  }
  return { name };
}
