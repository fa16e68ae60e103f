// A TLS listener over node:net and node:tls, for the runtime whose own TLS
// listener cannot give a stalled handshake's descriptor back: closing a
// Deno.TlsConn (Deno 2.9) whose handshake() is pending keeps its socket open
// until the peer leaves, so a classmate's silent connections lock a --tls
// server for good. Here the TCP socket underneath is ours to destroy, and it
// can have TCP_NODELAY, which Deno's TlsConn cannot.
import { createServer, type Server, type Socket } from "node:net";
import process from "node:process";
import { createSecureContext, TLSSocket } from "node:tls";
import { DescriptorBudget } from "./descriptor_budget.ts";
import { NetError, toNetError } from "./net_error.ts";
import { NodeTlsConnection } from "./node_tls_connection.ts";
import { handshakeTimeout, serverHandshakeTimeoutMs, toTlsError } from "./tls_errors.ts";
import type { ListenOptions, SocketAddress, TcpListener } from "./types.ts";

/** What a socket node:net accepted says of its two ends. */
function endsOf(raw: Socket): { localAddress: SocketAddress; remoteAddress: SocketAddress } {
  return {
    localAddress: { hostname: raw.localAddress ?? "", port: raw.localPort ?? 0 },
    remoteAddress: { hostname: raw.remoteAddress ?? "", port: raw.remotePort ?? 0 },
  };
}

// libuv's read status for a clean end of stream, and for a reset.
const UV_EOF = -4095;
const UV_ECONNRESET = -104;

interface ReadState {
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
}

type ReadCallback = (this: unknown, ...args: unknown[]) => unknown;

function readState(): ReadState | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): Partial<ReadState> })
      .binding("stream_wrap");
    const { streamBaseState, kReadBytesOrError } = binding;
    return streamBaseState && kReadBytesOrError !== undefined
      ? { streamBaseState, kReadBytesOrError }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Deno 2.9's node:tls turns every failed read under a TLS socket into an end
 * of stream, so a peer's reset would be narrated as its FIN: a false lesson
 * on the wire. The read status it acted on is public (process.binding), so
 * a failed read is caught there and the socket destroyed with it. Where the
 * TLS socket has no such handle (another runtime, a later Deno), nothing
 * changes; tests/tls_check_bench_test.ts asserts the RST is narrated.
 */
function surfaceReadErrors(socket: TLSSocket): void {
  const native =
    (socket as unknown as { _handle?: { _nativeTcpHandle?: { onread?: ReadCallback } } })
      ._handle?._nativeTcpHandle;
  const onread = native?.onread;
  const state = onread && readState();
  if (!native || !onread || !state) return;
  native.onread = function(this: unknown, ...args: unknown[]) {
    const status = state.streamBaseState[state.kReadBytesOrError]!;
    if (status < 0 && status !== UV_EOF) {
      socket.destroy(
        status === UV_ECONNRESET
          ? new NetError("CONNECTION_RESET", "connection reset by peer")
          : new Error(`read failed (system error ${-status})`),
      );
    }
    return onread.apply(this, args);
  };
}

/**
 * Listens for TLS clients with node:tls and hands each over once its
 * handshake is done, within `options.handshakeTimeoutMs`.
 * @throws {NetError} when the port cannot be listened on.
 */
export function listenNodeTls(options: ListenOptions): Promise<TcpListener> {
  const { hostname, port, tls } = options;
  const secureContext = createSecureContext({ cert: tls!.certificate, key: tls!.privateKey });
  const timeoutMs = serverHandshakeTimeoutMs(options.handshakeTimeoutMs);
  // node:net on Deno stops accepting for good after one failed accept
  // (EMFILE), and says nothing: so it must never run out. Near the limit a
  // new client is let go at once, as on Bun.
  const budget = new DescriptorBudget();
  const handshaking = new Set<TLSSocket>();

  const accept = (raw: Socket) => {
    // Until the TLS socket owns it, an error here must not become an uncaught one.
    raw.on("error", () => {});
    budget.opened();
    raw.once("close", () => budget.closed());
    if (budget.exhausted) {
      raw.destroy();
      const notice = budget.exhaustedNotice();
      if (notice) options.onAcceptError?.(notice);
      return;
    }
    const ends = endsOf(raw);
    if (options.admitHandshake && !options.admitHandshake(ends, handshaking.size)) {
      raw.destroy();
      return;
    }
    shakeHands(raw, ends);
  };

  const shakeHands = (raw: Socket, ends: ReturnType<typeof endsOf>) => {
    const context = { operation: "handshake", address: ends.remoteAddress } as const;
    const socket = new TLSSocket(raw, { isServer: true, secureContext });
    surfaceReadErrors(socket);
    handshaking.add(socket);
    const failed = (error: Error) => {
      if (!handshaking.delete(socket)) return;
      clearTimeout(timer);
      socket.destroy();
      raw.destroy();
      options.onAcceptError?.(toTlsError(error, context));
    };
    const closed = () => failed(new Error("closed before the handshake"));
    const timer = setTimeout(() => failed(handshakeTimeout(timeoutMs, context)), timeoutMs);
    socket.on("error", failed);
    socket.once("close", closed);
    socket.once("secure", () => {
      if (!handshaking.delete(socket)) return;
      clearTimeout(timer);
      socket.off("error", failed);
      socket.off("close", closed);
      const connection = new NodeTlsConnection(socket, ends.remoteAddress);
      // The owner's hook may throw: that costs this connection, never the listener.
      try {
        options.onConnection(connection);
      } catch (error) {
        connection.close();
        options.onAcceptError?.(error instanceof Error ? error : new Error(String(error)));
      }
    });
  };

  // The raw sockets stay open after the client's FIN, so replies still owed can go out.
  const server: Server = createServer({ allowHalfOpen: true }, accept);
  return new Promise((resolve, reject) => {
    const refused = (error: Error) =>
      reject(toNetError(error, { operation: "listen", address: { hostname, port } }));
    server.once("error", refused);
    server.listen({ host: hostname, port }, () => {
      server.off("error", refused);
      // Accept errors never reach here on Deno (see above); on a runtime where they do, they cost nothing.
      server.on("error", (error) => options.onAcceptError?.(toNetError(error)));
      const address = server.address();
      let closing: Promise<void> | undefined;
      resolve({
        address: typeof address === "object" && address
          ? { hostname: address.address, port: address.port }
          : { hostname, port },
        close() {
          if (closing) return closing;
          // close()'s callback waits for every connection to end; the port is free before that.
          server.close();
          for (const socket of handshaking) socket.destroy();
          handshaking.clear();
          closing = new Promise((done) => setTimeout(done, 0));
          return closing;
        },
      });
    });
  });
}
