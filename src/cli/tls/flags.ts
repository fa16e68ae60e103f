import { UsageError } from "../../errors/mod.ts";
import { parseFingerprint } from "../../net/mod.ts";
import type { ClientTlsChoice, ServerTlsChoice } from "../../tls/mod.ts";

/** The TLS flags of `server.ts`, for parseArgs. */
export const SERVER_TLS_FLAGS = {
  tls: { type: "boolean", default: false },
  cert: { type: "string" },
  key: { type: "string" },
} as const;

/** The TLS flags of `client.ts`, for parseArgs. */
export const CLIENT_TLS_FLAGS = {
  tls: { type: "boolean", default: false },
  fingerprint: { type: "string" },
  ca: { type: "string" },
  insecure: { type: "boolean", default: false },
} as const;

/**
 * Reads `--tls`, `--cert` and `--key`; `undefined` without `--tls`.
 * @throws {UsageError} for a certificate without its key, or either without --tls.
 */
export function serverTlsChoice(
  values: { tls: boolean; cert?: string; key?: string },
): ServerTlsChoice | undefined {
  const { tls, cert, key } = values;
  if (!tls) {
    if (cert !== undefined || key !== undefined) {
      throw new UsageError(`--${cert !== undefined ? "cert" : "key"} only applies with --tls`);
    }
    return undefined;
  }
  if (cert === undefined && key === undefined) return { source: "generated" };
  if (cert === undefined || key === undefined) {
    throw new UsageError(
      "--cert and --key go together (or give neither and a self-signed certificate is made)",
    );
  }
  return { source: "files", certFile: cert, keyFile: key };
}

/**
 * Reads `--tls`, `--fingerprint`, `--ca` and `--insecure`; `undefined` without `--tls`.
 * @throws {UsageError} for a malformed fingerprint, more than one way to trust, or any without --tls.
 */
export function clientTlsChoice(
  values: { tls: boolean; fingerprint?: string; ca?: string; insecure: boolean },
): ClientTlsChoice | undefined {
  const { tls, fingerprint, ca, insecure } = values;
  const given = [
    fingerprint !== undefined && "--fingerprint",
    ca !== undefined && "--ca",
    insecure && "--insecure",
  ].filter((flag): flag is string => flag !== false);
  if (!tls) {
    if (given.length > 0) throw new UsageError(`${given[0]} only applies with --tls`);
    return undefined;
  }
  if (given.length > 1) {
    throw new UsageError(
      `give one of --fingerprint, --ca and --insecure, not ${given.join(" and ")}`,
    );
  }
  if (fingerprint === undefined) return { caFile: ca, insecure };
  const parsed = parseFingerprint(fingerprint);
  if (parsed === undefined) {
    throw new UsageError(
      `--fingerprint must be the server's SHA-256 fingerprint, 64 hex digits (colons allowed), got '${fingerprint}'`,
    );
  }
  return { fingerprint: parsed };
}
