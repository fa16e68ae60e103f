import { secondsText } from "../bytes/mod.ts";
import { NetError, type NetOperation, toNetError } from "./net_error.ts";
import type { SocketAddress } from "./types.ts";

// OpenSSL's verification codes (Node's and Bun's TLS report them as `code`)
// and Node's name check: the peer spoke TLS, its certificate was refused.
const CERTIFICATE_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "INVALID_CA",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

// Failures of reaching the peer at all keep their own code; anything else
// while shaking hands means the two sides did not agree on TLS.
const REACHING_CODES = new Set([
  "CONNECTION_REFUSED",
  "HOST_NOT_FOUND",
  "NETWORK_UNREACHABLE",
  "ADDRESS_NOT_AVAILABLE",
  "PERMISSION_DENIED",
  "SANDBOX_DENIED",
  "TIMED_OUT",
  "TOO_MANY_OPEN_FILES",
]);

const TLS_CODES = new Set(["TLS_HANDSHAKE_FAILED", "CERTIFICATE_UNTRUSTED"]);

/**
 * Turns what a runtime threw during a TLS handshake into a NetError:
 * `CERTIFICATE_UNTRUSTED` for a refused certificate, the usual code for a
 * peer that could not be reached, `TLS_HANDSHAKE_FAILED` for the rest, with
 * the runtime's own words kept as detail.
 */
export function toTlsError(
  error: unknown,
  context: { operation: NetOperation; address: SocketAddress },
): NetError {
  if (error instanceof NetError && (REACHING_CODES.has(error.code) || TLS_CODES.has(error.code))) {
    return error;
  }
  const { code, message } = (typeof error === "object" && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const detail = typeof message === "string" && message !== "" ? message : String(code ?? error);
  if (typeof code === "string" && CERTIFICATE_CODES.has(code)) {
    return new NetError("CERTIFICATE_UNTRUSTED", `server certificate not trusted: ${detail}`, {
      ...context,
      cause: error,
    });
  }
  const plain = toNetError(error, context);
  if (REACHING_CODES.has(plain.code)) return plain;
  return new NetError("TLS_HANDSHAKE_FAILED", `TLS handshake failed: ${detail}`, {
    ...context,
    cause: error,
  });
}

/** The error for a handshake that did not finish within `timeoutMs`. */
export function handshakeTimeout(
  timeoutMs: number,
  context: { operation: NetOperation; address: SocketAddress },
): NetError {
  return new NetError(
    "TLS_HANDSHAKE_FAILED",
    `TLS handshake failed: not finished within ${secondsText(timeoutMs)}`,
    context,
  );
}

/**
 * How long a server waits for a client to finish its handshake: a client that
 * connects and says nothing would otherwise hold a descriptor for ever.
 */
export const SERVER_HANDSHAKE_TIMEOUT_MS = 10_000;

/** How long a server gives a handshake: `requested` (an idle timeout, say) where it is shorter than the default. */
export function serverHandshakeTimeoutMs(requested: number | undefined): number {
  return Math.min(requested ?? SERVER_HANDSHAKE_TIMEOUT_MS, SERVER_HANDSHAKE_TIMEOUT_MS);
}
