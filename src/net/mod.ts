/**
 * The runtime adapter: the one package that names Deno or Bun. It opens TCP,
 * TLS and UDP sockets on either runtime behind one set of interfaces, and turns
 * each runtime's errors into a `NetError` with a code. Its adapters are private:
 * everything else goes through `runtime`.
 * @module
 */
export { NetError, type NetErrorCode, type NetOperation, toNetError } from "./net_error.ts";
export { nodeTlsHandshake } from "./node_tls_connection.ts";
export { mayListInterfaces, mayReadEnv, mayReadHostname } from "./permissions.ts";
export { runtime, type RuntimeName } from "./runtime.ts";
export { certificateFingerprint, parseFingerprint } from "./tls_fingerprint.ts";
export { startsWithTlsRecord } from "./tls_record.ts";
export { type TlsTrust, verifyServerCertificate } from "./tls_verify.ts";
export type {
  EchoShortcut,
  InterfaceAddress,
  SocketAddress,
  StreamEvents,
  TcpConnection,
  TcpListener,
  TlsConnection,
  TlsServerOptions,
  UdpSocket,
} from "./types.ts";
