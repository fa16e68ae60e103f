import { NetError } from "./net_error.ts";
import { certificateFingerprint, parseFingerprint } from "./tls_fingerprint.ts";
import type { SocketAddress, TlsConnection } from "./types.ts";

/** How a client decides to trust the server's certificate; one of the three. */
export interface TlsTrust {
  /** The SHA-256 fingerprint the certificate must have: hex, colons optional, any case. */
  fingerprint?: string;
  /** PEM certificates of the CAs to trust; the adapter checked the chain and the name. */
  ca?: readonly string[];
  /** Trust any certificate: encrypted, but nobody knows with whom. */
  insecure?: boolean;
}

/**
 * Checks the certificate `connection` got against `trust` and returns its
 * fingerprint; a certificate that is not trusted closes the connection.
 * @throws {NetError} `CERTIFICATE_UNTRUSTED`, naming the fingerprint seen, or
 *   `TypeError` for a fingerprint that is not 32 bytes of hex.
 */
export async function verifyServerCertificate(
  // Only what is read here, so a checker's own node:tls socket can be verified too.
  connection: Pick<TlsConnection, "peerCertificate" | "close">,
  trust: TlsTrust,
  address: SocketAddress,
): Promise<string> {
  const seen = await certificateFingerprint(connection.peerCertificate);
  if (trust.insecure || trust.ca !== undefined) return seen;
  let message = `server certificate not verified: its SHA-256 fingerprint is ${seen}`;
  if (trust.fingerprint !== undefined) {
    const expected = parseFingerprint(trust.fingerprint);
    if (expected === undefined) {
      connection.close();
      throw new TypeError(
        `'fingerprint' must be a SHA-256 fingerprint (64 hex digits): current value is '${trust.fingerprint}'`,
      );
    }
    if (expected === seen) return seen;
    message = `server certificate has SHA-256 fingerprint ${seen}, not the ${expected} expected`;
  }
  connection.close();
  throw new NetError("CERTIFICATE_UNTRUSTED", message, { operation: "connect", address });
}
