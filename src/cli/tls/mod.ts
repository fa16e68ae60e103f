/**
 * What `--tls` adds to the scripts: its flags, the server's certificate (read
 * or made at start) and the lines that show fingerprints to compare.
 * @module
 */
export {
  type ClientTlsChoice,
  clientTlsOptions,
  loadServerCertificate,
  type ServerCertificate,
  type ServerTlsChoice,
} from "../../tls/mod.ts";
export { describeTlsSession, tlsBannerLines, tlsClientFlags } from "./describe.ts";
export { CLIENT_TLS_FLAGS, clientTlsChoice, SERVER_TLS_FLAGS, serverTlsChoice } from "./flags.ts";
