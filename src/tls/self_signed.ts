import { isIpLiteral } from "../address/mod.ts";
import type { TlsServerOptions } from "../net/mod.ts";

// ECDSA P-256: generated in milliseconds where an RSA key takes a noticeable
// moment, and every TLS peer a lab meets (openssl, ncat, socat, browsers) takes it.
const KEY_ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
// Lab PCs' clocks disagree; a certificate "not yet valid" would fail for no lesson.
const BACKDATE_MS = 60 * 60 * 1000;
// It is made anew at every start, so it only has to outlive one lab session.
const VALID_MS = 30 * 24 * 60 * 60 * 1000;

/** What `names` should the certificate carry. */
export interface SelfSignedRequest {
  /** Host names and IP literals the server may be reached by; localhost and loopback are always added. */
  readonly names: readonly string[];
}

/**
 * Makes a throw-away certificate and key, as `ncat --ssl` does when given no
 * certificate: self-signed, naming this machine's addresses, for a lab where
 * the client pins its fingerprint rather than trusting a CA.
 *
 * @param request The names and addresses to put in subjectAltName.
 * @returns A certificate and its PKCS #8 key, both PEM, ready for `serve({ tls })`.
 */
export async function makeSelfSignedCertificate(
  request: SelfSignedRequest,
): Promise<TlsServerOptions> {
  // Loaded only when asked for: a plain server starts without it. The polyfill
  // must run first, as @peculiar/x509's dependency injection reads it at load.
  await import("reflect-metadata");
  const x509 = await import("@peculiar/x509");
  const keys = await crypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]);
  const names = uniqueNames(["localhost", "127.0.0.1", "::1", ...request.names]);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: "CN=socklab lab server",
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + VALID_MS),
    signingAlgorithm: KEY_ALGORITHM,
    keys,
    extensions: [
      new x509.SubjectAlternativeNameExtension(
        names.map((name) => ({
          type: isIpLiteral(name) ? "ip" as const : "dns" as const,
          value: name,
        })),
      ),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    certificate: certificate.toString("pem"),
    privateKey: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
  };
}

// Addresses with a zone (fe80::1%eth0) cannot go in a certificate.
function uniqueNames(names: readonly string[]): string[] {
  return [...new Set(names.filter((name) => name !== "" && !name.includes("%")))];
}

// Positive and unpredictable, as RFC 5280 asks of serial numbers.
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0]! &= 0x7f;
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
