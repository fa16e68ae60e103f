import { readFileSync } from "node:fs";
import { localAddresses } from "../address/mod.ts";
import { UsageError } from "../errors/mod.ts";
import { certificateFingerprint, type TlsServerOptions } from "../net/mod.ts";
import type { TlsConnectOptions } from "../tcp/mod.ts";
import type { ClientTlsChoice, ServerTlsChoice } from "./choice.ts";
import { makeSelfSignedCertificate } from "./self_signed.ts";

/** A server's certificate, ready to serve, with what its banner shows. */
export interface ServerCertificate {
  readonly tls: TlsServerOptions;
  /** SHA-256 of the first certificate, as clients see it. */
  readonly fingerprint: string;
  /** Made at start rather than read from --cert. */
  readonly generated: boolean;
}

const PEM_START = {
  CERTIFICATE: /-----BEGIN CERTIFICATE-----/,
  "PRIVATE KEY": /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/,
} as const;

function readPem(flag: string, file: string, label: keyof typeof PEM_START): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const why = (error as { code?: string }).code === "ENOENT"
      ? "no such file"
      : (error as Error).message;
    throw new UsageError(`--${flag} ${file}: cannot read it (${why})`);
  }
  if (!PEM_START[label].test(text)) {
    throw new UsageError(`--${flag} ${file}: not a PEM file (no -----BEGIN ${label}----- line)`);
  }
  return text;
}

/** The DER bytes of the first certificate in `pem`. */
export function firstCertificateDer(pem: string): Uint8Array {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!match) throw new UsageError("no -----BEGIN CERTIFICATE----- block in the certificate file");
  const binary = atob(match[1]!.replace(/\s+/g, ""));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

const WILDCARDS = new Set(["0.0.0.0", "::"]);

/**
 * Reads --cert and --key, or makes a self-signed certificate naming `host`
 * and every address of this machine, so that a client checking names (with
 * --ca, or openssl's -verify_ip) accepts whichever one it was given.
 * @throws {UsageError} for a file that cannot be read or is not PEM.
 */
export async function loadServerCertificate(
  choice: ServerTlsChoice,
  host: string,
): Promise<ServerCertificate> {
  const names = localAddresses().map((entry) => entry.address);
  if (!WILDCARDS.has(host)) names.unshift(host);
  const tls = choice.source === "generated"
    ? await makeSelfSignedCertificate({ names })
    : {
      certificate: readPem("cert", choice.certFile, "CERTIFICATE"),
      privateKey: readPem("key", choice.keyFile, "PRIVATE KEY"),
    };
  const fingerprint = await certificateFingerprint(firstCertificateDer(tls.certificate));
  return { tls, fingerprint, generated: choice.source === "generated" };
}

/**
 * What `connect` needs for the client's choice, the --ca file read.
 * @throws {UsageError} for a --ca file that cannot be read or is not PEM.
 */
export function clientTlsOptions(choice: ClientTlsChoice): TlsConnectOptions {
  if (choice.caFile !== undefined) return { ca: [readPem("ca", choice.caFile, "CERTIFICATE")] };
  return { fingerprint: choice.fingerprint, insecure: choice.insecure };
}
