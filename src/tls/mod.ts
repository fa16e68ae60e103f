/**
 * TLS for the lab: how a client trusts a server (a fingerprint, a CA file, or
 * not at all), and a server's certificate, read from PEM files or made at start
 * for the addresses the server can be reached at.
 * @module
 */
export type { ClientTlsChoice, ServerTlsChoice } from "./choice.ts";
export { clientTlsOptions, loadServerCertificate, type ServerCertificate } from "./load.ts";
