// A TLS listener over node:net and node:tls, for the runtime whose own TLS
// listener cannot give a stalled handshake's descriptor back: closing a
// Deno.TlsConn (Deno 2.9) whose handshake() is pending keeps its socket open
// until the peer leaves, so a classmate's silent connections lock a --tls
// server for good. Here the TCP socket underneath is ours to destroy, and it
// can have TCP_NODELAY, which Deno's TlsConn cannot.
import { createServer, type Server, type Socket } from "node:net";
import { createSecureContext, TLSSocket } from "node:tls";
import { DescriptorBudget } from "./descriptor_budget.ts";
import { toNetError } from "./net_error.ts";
import { NodeTlsConnection } from "./node_tls_connection.ts";
import { surfaceReadErrors } from "./node_tls_native.ts";
import { handshakeTimeout, serverHandshakeTimeoutMs, toTlsError } from "./tls_errors.ts";
import type { ListenOptions, SocketAddress, TcpListener } from "./types.ts";

/** What a socket node:net accepted says of its two ends. */
function endsOf(raw: Socket): { localAddress: SocketAddress; remoteAddress: SocketAddress } {
  return {
    localAddress: { hostname: raw.localAddress ?? "", port: raw.localPort ?? 0 },
    remoteAddress: { hostname: raw.remoteAddress ?? "", port: raw.remotePort ?? 0 },
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
