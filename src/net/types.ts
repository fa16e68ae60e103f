/** Where a socket is: an IP literal (or host name before resolution) and a port. */
export interface SocketAddress {
  /** An IP literal such as `127.0.0.1` or `::1`; a host name only before resolution. */
  readonly hostname: string;
  /** Port number, 0 to 65535; 0 asks the system for a free one when listening or binding. */
  readonly port: number;
}

/**
 * What a TCP connection tells its owner. Chunks handed to `data` belong to the
 * receiver: the adapter never reuses or mutates them. They are plain
 * Uint8Arrays on every runtime (never Node Buffers, whose slice() shares memory).
 */
export interface StreamEvents {
  /**
   * Bytes arrived. Returning a promise pauses reading until it settles, which
   * is how a slow consumer pushes back on a fast sender.
   */
  data(chunk: Uint8Array): void | Promise<void>;
  /** The peer half-closed (sent FIN); nothing more will arrive, but writing still works. */
  end(): void;
  /** The connection is gone. `error` is set when it did not end cleanly (reset, for example). */
  close(error?: Error): void;
}

/**
 * What an echo gives its connection so that the usual chunk (whole frames,
 * nothing waiting) goes back from inside the adapter's read callback, without
 * a call to `data`: that call and the owner's checks around it cost 3-4% of a
 * ping-pong's CPU per message, on Deno and on Bun.
 */
export interface EchoShortcut {
  /**
   * The owner's decoder: how many frames a chunk holds when it may go back as
   * it came, with nothing held from earlier chunks; otherwise 0.
   */
  readonly frames: { wholeFrames(chunk: Uint8Array): number };
  /** What goes back this way is counted here, as the owner would count it. */
  readonly counters: {
    bytesIn: number;
    bytesOut: number;
    messagesIn: number;
    messagesOut: number;
  };
  /** While a reader elsewhere is behind, chunks go to `data`, which waits for it. */
  readonly congestion: { readonly congested: boolean };
}

/** One TCP connection, the same on every runtime. */
export interface TcpConnection {
  /** This end of the connection. */
  readonly localAddress: SocketAddress;
  /** The peer's end of the connection. */
  readonly remoteAddress: SocketAddress;
  /** Bytes accepted by `write` that the operating system has not taken yet. */
  readonly bufferedBytes: number;
  /**
   * What those bytes hold in memory, the bookkeeping of each queued write
   * included: what a bound on a client that does not read compares with.
   */
  readonly bufferedMemory: number;
  /**
   * Bytes the operating system has taken so far. A peer whose receive window
   * stays shut leaves it unchanged, which is how a stalled reader is told
   * from a slow one.
   */
  readonly writtenBytes: number;
  /** Starts delivering events; call once. */
  start(events: StreamEvents): void;
  /**
   * Queues `bytes` behind earlier writes and returns at once; do not change
   * `bytes` afterwards. A failure closes the connection and reaches
   * `events.close`, so a write never throws and never leaves a promise to
   * handle. Watch `bufferedBytes` and await `flushed()` to respect backpressure.
   */
  write(bytes: Uint8Array): void;
  /**
   * Says, from inside `events.data`, that the receiver keeps no reference to
   * the chunk it is handling, so the adapter may read later bytes into the
   * same memory once the writes queued so far have gone out. Runtimes that
   * hand out new memory for every chunk ignore it.
   */
  releaseChunk(): void;
  /** Resolves once every queued byte has gone to the OS, or the connection closed. */
  flushed(): Promise<void>;
  /** Sends FIN after the queued bytes; reading goes on. */
  closeWrite(): Promise<void>;
  /** Closes both directions now; safe to call more than once. */
  close(): void;
  /** Turns Nagle's algorithm off (on by default for socklab) or back on. */
  setNoDelay(noDelay: boolean): void;
  /**
   * Lets the connection send the usual chunk of an echo straight back (see
   * EchoShortcut); `undefined` hands every chunk to `data` again. A chunk
   * that is not whole frames, or that comes while anything written waits to
   * go out or reading is paused, still goes to `data`, so order is kept.
   * Optional: where absent, `data` sees every chunk.
   */
  setEchoShortcut?(shortcut: EchoShortcut | undefined): void;
}

/** A listening TCP socket. */
export interface TcpListener {
  /** Where it listens, with the real port. */
  readonly address: SocketAddress;
  /**
   * Stops accepting; existing connections are untouched. Safe to call twice.
   * Resolves once the port is free to listen on again (some runtimes free it a moment later).
   */
  close(): Promise<void>;
}

/** What a TLS server presents: its certificate chain and private key, both PEM. */
export interface TlsServerOptions {
  /** The certificate chain, server's first, PEM. */
  readonly certificate: string;
  /** The private key of the first certificate, PEM (PKCS #8, RSA or EC). */
  readonly privateKey: string;
}

/** How a TLS client checks the server it reaches. */
export interface TlsClientOptions {
  /** Sent as SNI and, with `caCertificates`, checked against the certificate; IP literals are not sent. */
  readonly serverName?: string;
  /**
   * PEM certificates the server's must chain to, its name checked too. Without
   * them the adapter accepts any certificate and its owner decides from
   * `peerCertificate`.
   */
  readonly caCertificates?: readonly string[];
}

/** A TCP connection carrying TLS, after a completed handshake. */
export interface TlsConnection extends TcpConnection {
  /** The negotiated protocol, such as `TLSv1.3`. */
  readonly tlsVersion: string;
  /** The certificate the server presented, DER. */
  readonly peerCertificate: Uint8Array;
}

/** Options for listening on TCP. */
export interface ListenOptions extends SocketAddress {
  /**
   * Speak TLS with this certificate. A connection is handed over only once its
   * handshake is done; a failed or stalled handshake reaches `onAcceptError`.
   */
  tls?: TlsServerOptions;
  /**
   * Asked, on a TLS listener, for each new connection before its handshake,
   * with how many others are still shaking hands: false closes it at once, so
   * handshakes in progress count toward the owner's limits.
   */
  admitHandshake?(
    ends: { localAddress: SocketAddress; remoteAddress: SocketAddress },
    handshaking: number,
  ): boolean;
  /**
   * How long a TLS handshake may take before its connection is closed; only
   * shorter than the default counts. @default {10 s}
   */
  handshakeTimeoutMs?: number;
  /** Called for each accepted connection, before any data is read. */
  onConnection(connection: TcpConnection): void;
  /** Called when accepting failed but the listener goes on (out of file descriptors, say). */
  onAcceptError?(error: Error): void;
}

/**
 * What a UDP socket tells its owner. The bytes handed to `message` belong to
 * the receiver: the adapter never reuses or mutates them, and they are plain
 * Uint8Arrays on every runtime.
 */
export interface DatagramEvents {
  /** A datagram arrived from `from`. */
  message(data: Uint8Array, from: SocketAddress): void;
  /**
   * An asynchronous error the socket survived, such as an ICMP port
   * unreachable for an earlier send.
   */
  error(error: Error): void;
}

/** A bound UDP socket, the same on every runtime. */
export interface UdpSocket {
  /** Where the socket is bound, with the real port. */
  readonly localAddress: SocketAddress;
  /**
   * Starts delivering events; call once. Datagrams that arrived since the
   * socket was bound are delivered first, up to a bound past which they are
   * dropped, as a full receive buffer would drop them.
   */
  start(events: DatagramEvents): void;
  /**
   * Sends one datagram to `to` (an IP literal) without waiting. When the
   * system's send buffer is full, datagrams wait in order (up to a bound past
   * which they are dropped with `SEND_QUEUE_FULL`), so `data` must not change
   * afterwards. Failures such as `MESSAGE_TOO_LARGE` reach `events.error`.
   */
  send(data: Uint8Array, to: SocketAddress): void;
  /** Datagrams given to `send` that the system has not taken yet. */
  readonly queuedDatagrams: number;
  /**
   * The receive buffer the system reports after `receiveBufferBytes` was
   * asked for (Linux reports twice what it grants, for its bookkeeping);
   * undefined when it was not asked for or could not be.
   */
  readonly receiveBufferBytes?: number;
  /** Resolves once every datagram given to `send` so far has gone to the system, or failed. */
  flushed(): Promise<void>;
  /** Closes the socket; resolves once its port is free to bind again. */
  close(): Promise<void>;
}

/** Where to bind a UDP socket: an IP literal and a port (0 for any free one). */
export interface BindOptions extends SocketAddress {
  /**
   * The receive buffer (SO_RCVBUF) to ask the system for, in bytes; the
   * system's default when unset. The system caps it (on Linux at
   * `net.core.rmem_max`), and only Linux is asked.
   */
  readonly receiveBufferBytes?: number;
}

/** One network interface address of this machine. */
export interface InterfaceAddress {
  /** The interface's name, such as `eth0` or `lo`. */
  readonly interfaceName: string;
  /** The IP address, as a literal. */
  readonly address: string;
  /** Which IP version the address is. */
  readonly family: "IPv4" | "IPv6";
  /** Whether the address is loopback, reachable only from this machine. */
  readonly internal: boolean;
}

/** Everything socklab needs from a runtime; one implementation per runtime. */
export interface RuntimeAdapter {
  /** The runtime this adapter drives. */
  readonly name: "deno" | "bun";
  /**
   * Whether `Uint8Array.prototype.indexOf` scans long inputs at memory speed
   * (JavaScriptCore's does), rather than a byte at a time (V8's), so that the
   * framing's newline search can use it.
   */
  readonly fastIndexOf: boolean;
  /**
   * Listens for TCP connections at `options`' address.
   * @throws {NetError} as a rejection, such as `ADDRESS_IN_USE`, `ADDRESS_NOT_AVAILABLE`, `PERMISSION_DENIED`.
   */
  listenTcp(options: ListenOptions): Promise<TcpListener>;
  /**
   * Opens a TCP connection to `to`, an IP literal.
   * @throws {NetError} as a rejection, such as `CONNECTION_REFUSED`, `NETWORK_UNREACHABLE`.
   */
  connectTcp(to: SocketAddress): Promise<TcpConnection>;
  /**
   * Opens a TCP connection to `to` and completes a TLS handshake on it.
   * @throws {NetError} as a rejection: `TLS_HANDSHAKE_FAILED`, `CERTIFICATE_UNTRUSTED` (with
   * `tls.caCertificates`), or what `connectTcp` throws.
   */
  connectTls(to: SocketAddress, tls: TlsClientOptions): Promise<TlsConnection>;
  /**
   * Binds a UDP socket at `options`' address.
   * @throws {NetError} as a rejection, such as `ADDRESS_IN_USE`, `ADDRESS_NOT_AVAILABLE`, `PERMISSION_DENIED`.
   */
  bindUdp(options: BindOptions): Promise<UdpSocket>;
}
