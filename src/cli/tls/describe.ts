import type { SocketAddress } from "../../net/mod.ts";
import type { TlsSession } from "../../tcp/mod.ts";
import type { ClientTlsChoice, ServerCertificate } from "../../tls/mod.ts";

/**
 * The line a `--tls` client prints once the handshake is done: the protocol,
 * the certificate's fingerprint and why it was trusted, so the student can
 * compare it with the server's banner.
 */
export function describeTlsSession(
  session: TlsSession,
  choice: ClientTlsChoice | undefined,
): string {
  const trust = choice?.fingerprint !== undefined
    ? "matches --fingerprint"
    : choice?.caFile !== undefined
    ? `signed by the CA in --ca ${choice.caFile}`
    : "NOT verified (--insecure)";
  return `tls: ${session.version}, server certificate SHA-256 ${session.fingerprint}, ${trust}`;
}

/** The flags a client adds to reach this `--tls` server and check its certificate. */
export function tlsClientFlags(certificate: ServerCertificate): string {
  return ` --tls --fingerprint ${certificate.fingerprint.replaceAll(":", "")}`;
}

// As in the listening banner, which lists a command per address for these.
const WILDCARDS = new Set(["0.0.0.0", "::", "0:0:0:0:0:0:0:0"]);

/**
 * The lines a `--tls` server prints under its listening line: the
 * fingerprint clients check and, unless the banner lists them per address,
 * the command that checks it.
 */
export function tlsBannerLines(
  certificate: ServerCertificate,
  clientCommand: string,
  address: SocketAddress,
): string[] {
  const origin = certificate.generated
    ? "self-signed, made at start; --cert and --key give a lasting one"
    : "from --cert";
  const lines = [`tls: certificate SHA-256 fingerprint ${certificate.fingerprint} (${origin})`];
  if (!WILDCARDS.has(address.hostname)) {
    lines.push(
      `  clients check it with: ${clientCommand} --host ${address.hostname} --port ${address.port}`,
    );
  }
  return lines;
}
