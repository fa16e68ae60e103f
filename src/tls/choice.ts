/** Where a `--tls` server's certificate comes from. */
export type ServerTlsChoice =
  | { readonly source: "generated" }
  | { readonly source: "files"; readonly certFile: string; readonly keyFile: string };

/** How a `--tls` client trusts the server: exactly one way, or none (refused, naming the fingerprint). */
export interface ClientTlsChoice {
  /** As `certificateFingerprint` prints it. */
  readonly fingerprint?: string;
  /** A PEM file of the certificate authority that signed the server's certificate (`--ca`). */
  readonly caFile?: string;
  /** Trust any certificate (`--insecure`): encrypted, but anyone could be at the other end. */
  readonly insecure?: boolean;
}
