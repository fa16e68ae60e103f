import { bun, type BunSocketHandler, type BunTcpSocket } from "./bun_api.ts";
import { bindBunUdp } from "./bun_udp.ts";
import { NO_ANSWER_AFTER_MS, toConnectError } from "./connect_error.ts";
import { DescriptorBudget } from "./descriptor_budget.ts";
import { NetError, toNetError } from "./net_error.ts";
import { handshakeTimeout, serverHandshakeTimeoutMs, toTlsError } from "./tls_errors.ts";
import type {
  EchoShortcut,
  ListenOptions,
  RuntimeAdapter,
  SocketAddress,
  StreamEvents,
  TcpConnection,
  TcpListener,
  TlsClientOptions,
  TlsConnection,
} from "./types.ts";
import { WRITE_AS_IS_BYTES, WriteQueue } from "./write_queue.ts";

class BunTcpConnection implements TcpConnection {
  // The fields every message reads come first, so that they share the
  // object's first cache line: with 50 clients in turn, each connection's
  // objects have left the cache by its next message.
  // Read first of all: an echo's usual chunk needs little else.
  #shortcut: EchoShortcut | undefined;
  #socket: BunTcpSocket<BunTcpConnection> | undefined;
  #events: StreamEvents | undefined;
  // Nothing queued and no FIN asked for: a reply may go straight out, and the
  // queue need not be read. False from the first part queued until it empties.
  #queueIdle = true;
  // -1 outside a data event; inside one, whether it has written yet (0 or 1).
  #eventWrites = -1;
  #closed = false;
  // Bytes written straight to the socket, never queued.
  #writtenAtOnce = 0;
  // Bun's write() keeps nothing it could not send at once; the rest waits here for `drain`.
  readonly #queue = new WriteQueue();
  #awaitingDrain = false;
  // Chunks that arrive between open and start(): Bun reads as soon as it connects.
  #early: Uint8Array[] = [];
  #peerEnded = false;
  // Writes wait for the running callback to return, then go out as one write:
  // each Bun write() is a syscall, and relaying a burst of 16 lines to 19
  // clients one write at a time made 304 of them.
  #pumpScheduled = false;
  #paused = false;
  localAddress: SocketAddress = { hostname: "", port: 0 };
  remoteAddress: SocketAddress = { hostname: "", port: 0 };

  attach(socket: BunTcpSocket<BunTcpConnection>, local: SocketAddress): void {
    this.#socket = socket;
    this.localAddress = { hostname: socket.localAddress ?? local.hostname, port: socket.localPort };
    this.remoteAddress = { hostname: socket.remoteAddress, port: socket.remotePort };
  }

  get bufferedBytes(): number {
    return this.#queueIdle ? 0 : this.#queue.bytes;
  }

  get bufferedMemory(): number {
    return this.#queueIdle ? 0 : this.#queue.memoryBytes;
  }

  get writtenBytes(): number {
    return this.#writtenAtOnce + this.#queue.writtenBytes;
  }

  start(events: StreamEvents): void {
    this.#events = events;
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) this.onData(chunk);
    if (this.#peerEnded) events.end();
  }

  onData(chunk: Uint8Array): void {
    const shortcut = this.#shortcut;
    // Only with nothing waiting to go out and reading not held back: the echo then keeps its order.
    if (
      shortcut !== undefined && this.#queueIdle && !this.#paused && !shortcut.congestion.congested
    ) {
      const frames = shortcut.frames.wholeFrames(chunk);
      if (frames > 0) return this.#echoWhole(chunk, frames, shortcut.counters);
    }
    const events = this.#events;
    if (!events) {
      this.#early.push(chunk);
      return;
    }
    let pause: void | Promise<void>;
    this.#eventWrites = 0;
    try {
      pause = events.data(chunk);
    } finally {
      this.#eventWrites = -1;
    }
    // The replies to this chunk go out now, together.
    if (!this.#queueIdle && !this.#awaitingDrain && this.#queue.length > 0) this.#pump();
    if (!pause) return;
    this.#paused = true;
    this.#socket?.pause();
    void pause.then(() => this.#resume(), () => this.#resume());
  }

  // What the owner's #echoWhole does with an echo's chunk of whole frames,
  // without the call into it: written straight back, and what the socket
  // did not take queued for `drain`. The owner sees the chunks after that
  // one, and pauses reading if the queue grows.
  #echoWhole(chunk: Uint8Array, frames: number, counters: EchoShortcut["counters"]): void {
    counters.bytesIn += chunk.length;
    counters.messagesIn += frames;
    counters.messagesOut += frames;
    counters.bytesOut += chunk.length;
    const written = this.#socket!.write(chunk);
    if (written < 0) return this.#abort();
    this.#writtenAtOnce += written;
    if (written === chunk.length) return;
    this.#queueIdle = false;
    this.#queue.push(chunk.subarray(written));
    this.#awaitingDrain = true;
  }

  setEchoShortcut(shortcut: EchoShortcut | undefined): void {
    this.#shortcut = this.#closed ? undefined : shortcut;
  }

  // Bun hands out new memory for every chunk: there is nothing to reuse.
  releaseChunk(): void {}

  #resume(): void {
    if (!this.#paused || this.#closed) return;
    this.#paused = false;
    this.#socket?.resume();
  }

  onEnd(): void {
    if (this.#closed || this.#peerEnded) return;
    this.#peerEnded = true;
    this.#events?.end();
  }

  write(bytes: Uint8Array): void {
    if (this.#closed || !this.#socket || bytes.length === 0) return;
    if (!this.#queueIdle && this.#queue.finRequested) return;
    // The first reply to a chunk goes straight out when nothing waits (nor a
    // drain, which waits only behind a queued part): through the queue it cost
    // about 0.4 us more per message on Bun. Later ones are queued and leave
    // joined when the event returns, except a large one, which the queue would
    // write alone anyway: queued, it counted as waiting until the event
    // returned, and a line echo streaming 1 KiB lines paused reading for it
    // after every chunk (two epoll_ctl calls and a promise each).
    if (this.#queueIdle && (this.#eventWrites === 0 || bytes.length >= WRITE_AS_IS_BYTES)) {
      if (this.#eventWrites === 0) this.#eventWrites = 1;
      const written = this.#socket.write(bytes);
      if (written < 0) return this.#abort();
      this.#writtenAtOnce += written;
      if (written === bytes.length) return;
      bytes = bytes.subarray(written);
    }
    this.#queueIdle = false;
    this.#queue.push(bytes);
    if (this.#eventWrites >= 0 || this.#awaitingDrain || this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(this.#scheduledPump);
  }

  readonly #scheduledPump = (): void => {
    this.#pumpScheduled = false;
    if (!this.#awaitingDrain) this.#pump();
  };

  // Writes what waits until the socket takes less than it is given, then waits for `drain`.
  #pump(): void {
    const socket = this.#socket;
    const queue = this.#queue;
    if (!socket || this.#closed) return;
    for (let out = queue.take(); out; out = queue.take()) {
      const written = socket.write(out);
      // -1: the peer reset the connection. Bun 1.4 may then report no close at
      // all while reading is paused, which held the descriptor and the queue
      // until the server stopped; so the connection is ended here.
      if (written < 0) return this.#abort();
      queue.wrote(written);
      if (written < out.length) {
        queue.putBack(out.subarray(written));
        this.#awaitingDrain = true;
        return;
      }
    }
    if (queue.finRequested) socket.shutdown();
    else this.#queueIdle = true;
    queue.settled();
  }

  onDrain(): void {
    this.#awaitingDrain = false;
    this.#pump();
  }

  flushed(): Promise<void> {
    if (this.#queue.bytes === 0 || this.#closed) return Promise.resolve();
    return this.#queue.flushed();
  }

  async closeWrite(): Promise<void> {
    if (this.#closed || this.#queue.finRequested) return;
    this.#queue.requestFin();
    this.#queueIdle = false;
    // What waits goes before the FIN, which the pump sends once it has all gone.
    if (!this.#awaitingDrain) this.#pump();
    await this.flushed();
  }

  close(): void {
    if (this.#closed) return;
    // Finished first: Bun may call the close handler from inside end(), which must see us closed.
    this.#finish(undefined);
    this.#socket?.end();
  }

  setNoDelay(noDelay: boolean): void {
    if (!this.#closed) this.#socket?.setNoDelay?.(noDelay);
  }

  onClose(error: Error | undefined): void {
    if (this.#closed) return;
    // Bun may report a peer's FIN only as close; the owner still expects end() first.
    if (!error) this.onEnd();
    this.#finish(error);
  }

  #abort(): void {
    this.#finish(new NetError("CONNECTION_RESET", "connection reset by peer"));
    this.#socket?.terminate();
  }

  onError(error: Error): void {
    if (this.#closed) return;
    // Bun routes exceptions thrown by our callbacks here and leaves the socket open.
    this.#finish(error);
    this.#socket?.end();
  }

  #finish(error: Error | undefined): void {
    this.#closed = true;
    this.#shortcut = undefined;
    this.#queue.clear();
    const netError = error ? toNetError(error, { address: this.remoteAddress }) : undefined;
    this.#events?.close(netError);
  }
}

// What the handshake told a TLS client; the connection itself is unchanged.
class BunTlsConnection extends BunTcpConnection implements TlsConnection {
  tlsVersion = "";
  peerCertificate: Uint8Array = new Uint8Array();
}

function handlers(local: SocketAddress): BunSocketHandler<BunTcpConnection> {
  return {
    // Plain Uint8Arrays, as Deno gives: equality checks and slice() (a copy,
    // where Buffer's shares memory) behave the same on both runtimes. Turning
    // Bun's Buffers into them with setPrototypeOf cost 0.8-3.8 us of server CPU
    // per message in a ping-pong, a third of a raw echo's whole cost.
    binaryType: "uint8array",
    data: (socket, data) => socket.data.onData(data),
    drain: (socket) => socket.data.onDrain(),
    end: (socket) => socket.data.onEnd(),
    close: (socket, error) => socket.data?.onClose(error),
    error: (socket, error) => socket.data?.onError(error),
    open: (socket) => {
      if (!socket.data) socket.data = new BunTcpConnection();
      socket.data.attach(socket, local);
    },
  };
}

function listenTcp(options: ListenOptions): Promise<TcpListener> {
  const { hostname, port, tls } = options;
  const local = { hostname, port };
  const base = handlers(local);
  const budget = new DescriptorBudget();
  const timeoutMs = serverHandshakeTimeoutMs(options.handshakeTimeoutMs);
  // TLS clients still shaking hands, each with the timer that gives up on it.
  const handshaking = new Map<BunTcpSocket<BunTcpConnection>, ReturnType<typeof setTimeout>>();
  // Near the descriptor limit a new client is let go at once, so Bun's accept
  // never fails: out of descriptors it would retry at full CPU for ever and
  // tell nobody (Bun 1.4).
  const letGo = (socket: BunTcpSocket<BunTcpConnection>): boolean => {
    if (!budget.exhausted) return false;
    socket.data.close();
    const notice = budget.exhaustedNotice();
    if (notice) options.onAcceptError?.(notice);
    return true;
  };
  const admit = (socket: BunTcpSocket<BunTcpConnection>) => {
    // The owner's hook may throw: that costs this connection, never the listener.
    try {
      options.onConnection(socket.data);
    } catch (error) {
      socket.data.close();
      options.onAcceptError?.(error instanceof Error ? error : new Error(String(error)));
    }
  };
  try {
    const listener = bun().listen<BunTcpConnection>({
      hostname,
      port,
      // Without it Bun answers a client's FIN by closing, and replies still owed are lost.
      allowHalfOpen: true,
      tls: tls && { cert: tls.certificate, key: tls.privateKey },
      socket: {
        ...base,
        open: (socket) => {
          base.open!(socket);
          budget.opened();
          if (letGo(socket)) return;
          if (!tls) return admit(socket);
          const { data } = socket;
          if (options.admitHandshake && !options.admitHandshake(data, handshaking.size)) {
            return data.close();
          }
          // A client that connects and says nothing would hold its descriptor for ever.
          const context = { operation: "handshake", address: data.remoteAddress } as const;
          handshaking.set(
            socket,
            setTimeout(() => {
              handshaking.delete(socket);
              options.onAcceptError?.(handshakeTimeout(timeoutMs, context));
              data.close();
            }, timeoutMs),
          );
        },
        // The server's authorizationError is about client certificates, which socklab does not ask for.
        handshake: (socket, success, authorizationError) => {
          const timer = handshaking.get(socket);
          if (timer === undefined) return;
          clearTimeout(timer);
          handshaking.delete(socket);
          if (success) return admit(socket);
          const context = { operation: "handshake", address: socket.data.remoteAddress } as const;
          options.onAcceptError?.(
            toTlsError(authorizationError ?? new Error("no TLS from the client"), context),
          );
          socket.data.close();
        },
        close: (socket, error) => {
          const timer = handshaking.get(socket);
          if (timer !== undefined) {
            clearTimeout(timer);
            handshaking.delete(socket);
            const context = { operation: "handshake", address: socket.data.remoteAddress } as const;
            options.onAcceptError?.(
              toTlsError(error ?? new Error("closed before the handshake"), context),
            );
          }
          budget.closed();
          base.close(socket, error);
        },
      },
    });
    let closed = false;
    return Promise.resolve({
      address: { hostname: listener.hostname, port: listener.port },
      close() {
        if (!closed) {
          closed = true;
          listener.stop(false);
          for (const [socket, timer] of handshaking) {
            clearTimeout(timer);
            socket.data.close();
          }
          handshaking.clear();
        }
        return Promise.resolve();
      },
    });
  } catch (error) {
    return Promise.reject(toNetError(error, { operation: "listen", address: local }));
  }
}

async function connectTcp(to: SocketAddress): Promise<TcpConnection> {
  const connection = new BunTcpConnection();
  const started = performance.now();
  try {
    await bun().connect<BunTcpConnection>({
      hostname: to.hostname,
      port: to.port,
      allowHalfOpen: true,
      data: connection,
      socket: { ...handlers({ hostname: "", port: 0 }), connectError: () => {} },
    });
  } catch (error) {
    const elapsedMs = performance.now() - started;
    throw toConnectError(await unmaskRefusal(error, to, elapsedMs), to, elapsedMs);
  }
  return connection;
}

// Bun 1.4 reports a failed connect as ECONNREFUSED whatever the kernel said,
// EHOSTUNREACH and ENETUNREACH included (oven-sh/bun PR #37093, open). A real
// refusal is a reset, back within a round trip; ARP gives up after about 3 s.
// A quick one may be this machine's routes, which a UDP connect asks again and
// Bun reports truthfully; an ICMP rejection from afar stays a refusal.
async function unmaskRefusal(error: unknown, to: SocketAddress, elapsedMs: number) {
  if ((error as { code?: unknown } | null)?.code !== "ECONNREFUSED") return error;
  if (elapsedMs >= NO_ANSWER_AFTER_MS) {
    return Object.assign(new Error("no answer before giving up"), {
      code: "EHOSTUNREACH",
      cause: error,
    });
  }
  try {
    const probe = await bun().udpSocket({
      hostname: to.hostname.includes(":") ? "::" : "0.0.0.0",
      port: 0,
      connect: { hostname: to.hostname, port: to.port },
      socket: { data() {}, error() {} },
    });
    probe.close();
    return error;
  } catch (routeError) {
    return routeError;
  }
}

async function connectTls(to: SocketAddress, tls: TlsClientOptions): Promise<TlsConnection> {
  const connection = new BunTlsConnection();
  const context = { operation: "connect", address: to } as const;
  const verify = tls.caCertificates !== undefined;
  const base = handlers({ hostname: "", port: 0 });
  let pending = true;
  const { promise: handshake, resolve, reject } = Promise.withResolvers<void>();
  const fail = (error: unknown) => {
    if (!pending) return;
    pending = false;
    reject(toTlsError(error, context));
  };
  try {
    await bun().connect<BunTcpConnection>({
      hostname: to.hostname,
      port: to.port,
      allowHalfOpen: true,
      data: connection,
      tls: {
        // Unverified, Bun accepts any certificate and its owner checks it.
        rejectUnauthorized: verify,
        ca: verify ? [...tls.caCertificates!] : undefined,
        // SNI carries names only (RFC 6066); without one Bun checks the address.
        serverName: tls.serverName && !/^[\d.]+$|:/.test(tls.serverName)
          ? tls.serverName
          : undefined,
      },
      socket: {
        ...base,
        connectError: () => {},
        handshake: (socket, success, authorizationError) => {
          // Bun 1.4 reports an unverified certificate as a failed handshake when a
          // serverName is set, even with rejectUnauthorized off; the certificate
          // arrived all the same, and its owner checks it.
          const raw = socket.getPeerCertificate?.()?.raw;
          if (!success && (verify || raw === undefined)) {
            fail(authorizationError ?? new Error("the server does not speak TLS"));
            socket.data.close();
            return;
          }
          connection.tlsVersion = socket.getTLSVersion?.() ?? "";
          connection.peerCertificate = raw ? new Uint8Array(raw) : new Uint8Array();
          pending = false;
          resolve();
        },
        close: (socket, error) => {
          fail(error ?? new NetError("CONNECTION_RESET", "closed during the handshake"));
          base.close(socket, error);
        },
      },
    });
  } catch (error) {
    throw toNetError(error, context);
  }
  await handshake;
  return connection;
}

/** The Bun implementation of the runtime adapter. */
export const bunAdapter: RuntimeAdapter = {
  name: "bun",
  fastIndexOf: true,
  listenTcp,
  connectTcp,
  connectTls,
  bindUdp: bindBunUdp,
};
