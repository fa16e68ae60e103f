// The slice of Bun's API the adapter uses, declared here so `deno check`
// can type-check the Bun adapter without Bun's global types.

export interface BunTcpSocket<T> {
  data: T;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress?: string;
  readonly localPort: number;
  write(data: Uint8Array): number;
  shutdown(halfClose?: boolean): void;
  end(): void;
  /** Closes at once, with an RST: what an abort must put on the wire. */
  terminate(): void;
  pause(): void;
  resume(): void;
  setNoDelay?(noDelay?: boolean): boolean;
  // TLS sockets only.
  getPeerCertificate?(): { raw?: Uint8Array } | undefined;
  getTLSVersion?(): string | null;
}

export interface BunSocketHandler<T> {
  // What `data` is handed: Bun's default is a Buffer, whose slice() shares memory.
  binaryType?: "uint8array";
  open?(socket: BunTcpSocket<T>): void;
  data(socket: BunTcpSocket<T>, data: Uint8Array): void;
  drain(socket: BunTcpSocket<T>): void;
  end(socket: BunTcpSocket<T>): void;
  close(socket: BunTcpSocket<T>, error?: Error): void;
  error(socket: BunTcpSocket<T>, error: Error): void;
  connectError?(socket: BunTcpSocket<T>, error: Error): void;
  // TLS sockets only: the handshake finished, or failed when `success` is false.
  handshake?(socket: BunTcpSocket<T>, success: boolean, authorizationError: Error | null): void;
}

export interface BunTlsOptions {
  cert?: string;
  key?: string;
  ca?: string[];
  serverName?: string;
  rejectUnauthorized?: boolean;
}

export interface BunTcpListener {
  readonly hostname: string;
  readonly port: number;
  stop(closeActiveConnections?: boolean): void;
}

export interface BunUdpSocket {
  readonly hostname: string;
  readonly port: number;
  readonly address: { address: string; port: number };
  // Undocumented in Bun 1.4, but there: the socket's descriptor.
  readonly fd?: number;
  // false: the send buffer was full (EAGAIN) and the datagram was not sent.
  send(data: Uint8Array, port: number, address: string): boolean;
  // One sendmmsg for [data, port, address, ...]: how many it sent (the rest
  // did not fit and wait for drain); throws, having sent none, on a bad address.
  sendMany(packets: (Uint8Array | number | string)[]): number;
  close(): void;
}

export interface BunUdpHandler {
  data(socket: BunUdpSocket, data: Uint8Array, port: number, address: string): void;
  error(this: BunUdpSocket, error: Error): void;
  // The send buffer has room again after a send() that returned false.
  drain?(socket: BunUdpSocket): void;
}

export interface BunApi {
  listen<T>(options: {
    hostname: string;
    port: number;
    allowHalfOpen: boolean;
    tls?: BunTlsOptions;
    socket: BunSocketHandler<T>;
  }): BunTcpListener;
  connect<T>(options: {
    hostname: string;
    port: number;
    allowHalfOpen: boolean;
    data: T;
    tls?: BunTlsOptions;
    socket: BunSocketHandler<T>;
  }): Promise<BunTcpSocket<T>>;
  udpSocket(options: {
    hostname: string;
    port: number;
    // Connecting a UDP socket sends nothing; it only asks the routing table.
    connect?: { hostname: string; port: number };
    binaryType?: "uint8array";
    socket: BunUdpHandler;
  }): Promise<BunUdpSocket>;
}

/** Bun's global, typed by what socklab uses of it; only called on Bun. */
export const bun = (): BunApi => (globalThis as unknown as { Bun: BunApi }).Bun;
