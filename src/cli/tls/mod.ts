/**
 * What `--tls` adds to the scripts: its flags, the server's certificate (read
 * or made at start) and the lines that show fingerprints to compare.
 * @module
 */
export { describeTlsSession, tlsBannerLines, tlsClientFlags } from "./describe.ts";
export {
  CLIENT_TLS_FLAGS,
  type ClientTlsChoice,
  clientTlsChoice,
  SERVER_TLS_FLAGS,
  type ServerTlsChoice,
  serverTlsChoice,
} from "./flags.ts";
export { clientTlsOptions, loadServerCertificate, type ServerCertificate } from "./load.ts";
