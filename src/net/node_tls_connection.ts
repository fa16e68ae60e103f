// A TLS client connection over node:tls, for the runtime whose own TLS client
// cannot do what a lab needs (see connectTls in deno_adapter.ts).
import { isIP, type Socket } from "node:net";
import { connect, type ConnectionOptions, type TLSSocket } from "node:tls";
import { NetError, toNetError } from "./net_error.ts";
import { readSwitchOf } from "./node_tls_native.ts";
import { plainBytes } from "./plain_bytes.ts";
import { toTlsError } from "./tls_errors.ts";
import type { SocketAddress, StreamEvents, TlsClientOptions, TlsConnection } from "./types.ts";

/** A TLS connection over node:tls, a client's or one a server accepted. */
export class NodeTlsConnection implements TlsConnection {
  readonly localAddress: SocketAddress;
  readonly remoteAddress: SocketAddress;
  readonly tlsVersion: string;
  readonly peerCertificate: Uint8Array;
  readonly #socket: TLSSocket;
  #accepted = 0;
  #finRequested = false;
  #closed = false;
  #events: StreamEvents | undefined;

  /** `remote`: the peer as dialled or accepted (a TLS socket over another socket may not know it). */
  constructor(socket: TLSSocket, remote: SocketAddress) {
    this.#socket = socket;
    this.localAddress = { hostname: socket.localAddress ?? "", port: socket.localPort ?? 0 };
    this.remoteAddress = { hostname: socket.remoteAddress ?? remote.hostname, port: remote.port };
    this.tlsVersion = socket.getProtocol() ?? "";
    const raw = socket.getPeerCertificate()?.raw as Uint8Array | undefined;
    this.peerCertificate = raw ? new Uint8Array(raw) : new Uint8Array();
  }

  get bufferedBytes(): number {
    return this.#socket.writableLength;
  }

  get bufferedMemory(): number {
    return this.#socket.writableLength;
  }

  get writtenBytes(): number {
    return this.#accepted - this.#socket.writableLength;
  }

  // Until a data listener is added the socket holds what arrives, so nothing is lost before start().
  start(events: StreamEvents): void {
    this.#events = events;
    const socket = this.#socket;
    const reads = readSwitchOf(socket);
    socket.on("data", (chunk: Uint8Array) => {
      const pause = events.data(plainBytes(chunk));
      if (!pause) return;
      socket.pause();
      reads?.stop();
      const resume = () => {
        reads?.start();
        socket.resume();
      };
      void pause.then(resume, resume);
    });
    socket.on("end", () => {
      if (!this.#closed) events.end();
    });
    socket.on(
      "error",
      (error: Error) => this.#finish(toNetError(error, { address: this.remoteAddress })),
    );
    socket.on("close", () => this.#finish(undefined));
  }

  write(bytes: Uint8Array): void {
    if (this.#closed || this.#finRequested || bytes.length === 0) return;
    this.#accepted += bytes.length;
    this.#socket.write(bytes);
  }

  // Node's TLS socket owns every chunk it hands out: nothing to reuse.
  releaseChunk(): void {}

  flushed(): Promise<void> {
    if (this.#closed || this.#socket.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#socket.off("drain", done);
        this.#socket.off("close", done);
        resolve();
      };
      this.#socket.on("drain", done);
      this.#socket.on("close", done);
    });
  }

  // end() sends close_notify and FIN after what is queued, and reading goes on (allowHalfOpen).
  closeWrite(): Promise<void> {
    if (this.#closed || this.#finRequested) return Promise.resolve();
    this.#finRequested = true;
    return new Promise((resolve) => this.#socket.end(resolve));
  }

  close(): void {
    if (this.#closed) return;
    this.#finish(undefined);
    this.#socket.destroy();
  }

  setNoDelay(noDelay: boolean): void {
    if (!this.#closed) this.#socket.setNoDelay(noDelay);
  }

  #finish(error: NetError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events?.close(error);
  }
}

/**
 * Shakes hands with node:tls, on a new connection or `over` a TCP socket
 * already open (a checker keeps that one to reset it later). Without
 * `tls.caCertificates` any certificate is accepted: its owner checks it.
 * @throws {NetError} `TLS_HANDSHAKE_FAILED`, `CERTIFICATE_UNTRUSTED`, or a connect failure.
 */
export function nodeTlsHandshake(
  to: SocketAddress,
  tls: TlsClientOptions,
  over?: Socket,
): Promise<TLSSocket> {
  const context = { operation: "connect", address: to } as const;
  const verify = tls.caCertificates !== undefined;
  return new Promise((resolve, reject) => {
    // allowHalfOpen is passed on to the socket though @types/node does not list it.
    const options: ConnectionOptions & { allowHalfOpen: boolean } = {
      ...(over ? { socket: over } : { port: to.port }),
      // Also the name checked with a CA when no SNI is sent (an IP literal).
      host: to.hostname,
      // SNI carries names only (RFC 6066); an IP literal is checked against the certificate's IP entries.
      servername: tls.serverName && isIP(tls.serverName) === 0 ? tls.serverName : undefined,
      ca: verify ? [...tls.caCertificates!] : undefined,
      rejectUnauthorized: verify,
      allowHalfOpen: true,
    };
    const socket = connect(options);
    const failed = (error: Error) => {
      socket.off("close", closed);
      socket.destroy();
      reject(toTlsError(error, context));
    };
    const closed = () => failed(new NetError("CONNECTION_RESET", "closed during the handshake"));
    socket.once("error", failed);
    socket.once("close", closed);
    socket.once("secureConnect", () => {
      socket.off("error", failed);
      socket.off("close", closed);
      resolve(socket);
    });
  });
}

/**
 * Connects with node:tls and resolves once the handshake is done. Without
 * `tls.caCertificates` any certificate is accepted: its owner checks it.
 * @throws {NetError} `TLS_HANDSHAKE_FAILED`, `CERTIFICATE_UNTRUSTED`, or a connect failure.
 */
export async function connectNodeTls(
  to: SocketAddress,
  tls: TlsClientOptions,
): Promise<TlsConnection> {
  return new NodeTlsConnection(await nodeTlsHandshake(to, tls), to);
}
