import { delay } from "../async/mod.ts";
import { toConnectError } from "./connect_error.ts";
import { type DenoUdpCalls, openDenoUdpCalls } from "./deno_udp_calls.ts";
import { NetError, toNetError } from "./net_error.ts";
import { connectNodeTls } from "./node_tls_connection.ts";
import { listenNodeTls } from "./node_tls_server.ts";
import type {
  BindOptions,
  DatagramEvents,
  EchoShortcut,
  ListenOptions,
  RuntimeAdapter,
  SocketAddress,
  StreamEvents,
  TcpConnection,
  TcpListener,
  TlsClientOptions,
  TlsConnection,
  UdpSocket,
} from "./types.ts";
import { DatagramQueue, sendQueueFull } from "./udp_send_queue.ts";
import { WriteQueue } from "./write_queue.ts";

// Reads start small so thousands of idle connections stay cheap, and grow
// while the peer keeps filling them so bulk transfers need few reads.
const FIRST_READ_BYTES = 4 * 1024;
const MAX_READ_BYTES = 256 * 1024;
// Reads fill a slab from front to back; with less room left than this a new slab is started.
const MIN_READ_ROOM = 1024;
const MAX_DATAGRAM_BYTES = 65536;
const ACCEPT_BACKOFF_MIN_MS = 50;
const ACCEPT_BACKOFF_MAX_MS = 1000;
// Small enough that a datagram a user keeps holds at most this much memory alive.
const DATAGRAM_SLAB_BYTES = 4 * MAX_DATAGRAM_BYTES;

function toAddress(addr: Deno.Addr): SocketAddress {
  const { hostname, port } = addr as Deno.NetAddr;
  return { hostname, port };
}

class DenoTcpConnection implements TcpConnection {
  // The fields every message reads come first, so that they share the
  // object's first cache lines (see BunTcpConnection).
  readonly #conn: Deno.TcpConn;
  readonly #queue = new WriteQueue();
  #shortcut: EchoShortcut | undefined;
  #events: StreamEvents | undefined;
  #closed = false;
  #writing = false;
  #inDataEvent = false;
  #chunkReleased = false;
  // Reads fill a slab from front to back, and each chunk is a view of it:
  // nothing is copied, and no chunk is overwritten unless the receiver
  // released it. Allocating or copying a buffer per read cost 0.3 us per
  // message on Deno, a twentieth of an echo.
  #slab = new Uint8Array(FIRST_READ_BYTES);
  #used = 0;
  #slabBytes = FIRST_READ_BYTES;
  #roomBytes = 0;
  // The view last handed out, and where it lies.
  #chunk: Uint8Array = this.#slab.subarray(0, 0);
  #chunkSlab = this.#slab;
  #chunkStart = 0;
  // What the data event returned: the next read waits for it.
  #pause: void | Promise<void> = undefined;
  // The reply the read path is writing itself.
  #out: Uint8Array | undefined;
  #finStarted = false;
  #writeEnded = false;
  #readEnded = false;
  readonly localAddress: SocketAddress;
  readonly remoteAddress: SocketAddress;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.localAddress = toAddress(conn.localAddr);
    this.remoteAddress = toAddress(conn.remoteAddr);
  }

  get bufferedBytes(): number {
    return this.#queue.bytes;
  }

  get bufferedMemory(): number {
    return this.#queue.memoryBytes;
  }

  get writtenBytes(): number {
    return this.#queue.writtenBytes;
  }

  start(events: StreamEvents): void {
    this.#events = events;
    this.#read();
  }

  // conn.read() rather than conn.readable: the stream closes the whole socket
  // at EOF (no reply after a half-close) and runs at about a third of the
  // speed. Each read and write goes on in a callback on its promise, not
  // after an await in one long async function: a plain echo written that way
  // cost Deno 15-20% more CPU per message (bench/raw_echo_deno.ts, both forms).
  #read(): void {
    if (this.#closed) return;
    // A new slab when this one is nearly full, or when reads have outgrown it.
    if (this.#slab.length - this.#used < MIN_READ_ROOM || this.#slab.length < this.#slabBytes) {
      this.#slab = new Uint8Array(this.#slabBytes);
      this.#used = 0;
    }
    const room = this.#used === 0 ? this.#slab : this.#slab.subarray(this.#used);
    this.#roomBytes = room.length;
    this.#conn.read(room).then(this.#onRead, this.#onFailure);
  }

  readonly #onRead = (n: number | null): void => {
    try {
      if (n === null) return this.#onReadEnd();
      const slab = this.#slab;
      const start = this.#used;
      // The last chunk's view again when it covers the same bytes, as a
      // ping-pong's do: its owner released it, so nothing holds it, and a
      // new view per read cost Deno about 4% more CPU per message.
      let chunk = this.#chunk;
      if (this.#chunkSlab !== slab || this.#chunkStart !== start || chunk.length !== n) {
        chunk = this.#chunk = n === slab.length ? slab : slab.subarray(start, start + n);
        this.#chunkSlab = slab;
        this.#chunkStart = start;
      }
      this.#used = start + n;
      if (n === this.#roomBytes && this.#slabBytes < MAX_READ_BYTES) this.#slabBytes *= 4;
      const queue = this.#queue;
      if (!this.#echoWhole(chunk, queue)) this.#pause = this.#deliver(chunk);
      // What this chunk produced is written before the next read, as a plain
      // echo loop does: a read and a write in flight together cost about
      // 0.7 us more CPU per message on Deno.
      if (queue.length === 1 && !this.#writing && !queue.finRequested) {
        // The usual case, one reply, written here: going through #drainQueue's
        // extra async call cost 0.1-0.2 us per message.
        const out = queue.take()!;
        this.#writing = true;
        this.#out = out;
        this.#conn.write(out).then(this.#onWritten, this.#onFailure);
      } else if (queue.length > 0 && !this.#writing) {
        this.#drainQueue().then(this.#afterReplies);
      } else {
        this.#afterReplies();
      }
    } catch (error) {
      this.#fail(error);
    }
  };

  readonly #onWritten = (written: number): void => {
    const out = this.#out!;
    const queue = this.#queue;
    if (written < out.length) {
      queue.wrote(written);
      this.#out = out.subarray(written);
      this.#conn.write(this.#out).then(this.#onWritten, this.#onFailure);
      return;
    }
    queue.wrote(written);
    this.#out = undefined;
    this.#writing = false;
    // More queued meanwhile, or a FIN asked for: the general path finishes the job.
    if (queue.length > 0 || queue.finRequested) {
      this.#drainQueue().then(this.#afterReplies);
      return;
    }
    queue.settled();
    this.#afterReplies();
  };

  // Released and sent: the next read may reuse that memory, which stays in
  // the CPU cache. Fresh memory for every read made a line echo's reads cost
  // half as much again per byte.
  readonly #afterReplies = (): void => {
    if (this.#chunkReleased && this.#queue.bytes === 0) this.#used = this.#chunkStart;
    const pause = this.#pause;
    if (!pause) return this.#read();
    this.#pause = undefined;
    pause.then(this.#readOn, this.#onFailure);
  };

  readonly #readOn = (): void => this.#read();

  readonly #onFailure = (error: unknown): void => this.#fail(error);

  #onReadEnd(): void {
    this.#readEnded = true;
    if (!this.#closed) this.#events!.end();
    this.#closeIfBothDone();
  }

  // Deno's write() may take only part of a buffer, so it loops until done.
  async #writeAll(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const n = await this.#conn.write(offset === 0 ? bytes : bytes.subarray(offset));
      offset += n;
      this.#queue.wrote(n);
    }
  }

  #deliver(chunk: Uint8Array): void | Promise<void> {
    this.#inDataEvent = true;
    this.#chunkReleased = false;
    try {
      return this.#events!.data(chunk);
    } finally {
      this.#inDataEvent = false;
    }
  }

  // An echo's usual chunk, queued to go straight back without a data event
  // (see EchoShortcut): only with nothing else queued or being written, so
  // the order holds. The echo keeps nothing of it, so its memory is released.
  #echoWhole(chunk: Uint8Array, queue: WriteQueue): boolean {
    const shortcut = this.#shortcut;
    if (shortcut === undefined || queue.length > 0 || this.#writing || queue.finRequested) {
      return false;
    }
    if (shortcut.congestion.congested) return false;
    const frames = shortcut.frames.wholeFrames(chunk);
    if (frames === 0) return false;
    const counters = shortcut.counters;
    counters.bytesIn += chunk.length;
    counters.messagesIn += frames;
    counters.messagesOut += frames;
    counters.bytesOut += chunk.length;
    this.#chunkReleased = true;
    queue.push(chunk);
    return true;
  }

  setEchoShortcut(shortcut: EchoShortcut | undefined): void {
    this.#shortcut = this.#closed ? undefined : shortcut;
  }

  releaseChunk(): void {
    if (this.#inDataEvent) this.#chunkReleased = true;
  }

  write(bytes: Uint8Array): void {
    if (this.#closed || this.#queue.finRequested || bytes.length === 0) return;
    this.#queue.push(bytes);
    // Inside this connection's own data event the read loop writes once the event returns.
    if (!this.#writing && !this.#inDataEvent) void this.#drainQueue();
  }

  async #drainQueue(): Promise<void> {
    const queue = this.#queue;
    this.#writing = true;
    try {
      for (let out = queue.take(); out && !this.#closed; out = queue.take()) {
        await this.#writeAll(out);
      }
      if (queue.finRequested && !this.#closed) await this.#sendFin();
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#writing = false;
      queue.settled();
    }
  }

  flushed(): Promise<void> {
    if (this.#queue.bytes === 0 || this.#closed) return Promise.resolve();
    return this.#queue.flushed();
  }

  async closeWrite(): Promise<void> {
    if (this.#closed || this.#queue.finRequested) return;
    this.#queue.requestFin();
    // The FIN goes after the queue, which the drain sends once it is empty.
    if (this.#queue.length > 0 && !this.#writing) void this.#drainQueue();
    if (this.#writing) return await this.flushed();
    try {
      await this.#sendFin();
    } catch (error) {
      this.#fail(error);
    }
  }

  async #sendFin(): Promise<void> {
    // Two drains may both find the FIN requested: only one sends it.
    if (this.#finStarted) return;
    this.#finStarted = true;
    await this.#conn.closeWrite();
    this.#writeEnded = true;
    this.#closeIfBothDone();
  }

  // Both FINs exchanged: the connection is over, as Bun reports it by itself.
  #closeIfBothDone(): void {
    if (this.#readEnded && this.#writeEnded) this.#shutDown(undefined);
  }

  close(): void {
    this.#shutDown(undefined);
  }

  setNoDelay(noDelay: boolean): void {
    if (!this.#closed) this.#conn.setNoDelay(noDelay);
  }

  #fail(error: unknown): void {
    const netError = toNetError(error, { address: this.remoteAddress });
    // Our own close() interrupts the pending read; that is not a failure.
    this.#shutDown(netError.code === "CLOSED" ? undefined : netError);
  }

  #shutDown(error: NetError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#shortcut = undefined;
    this.#queue.clear();
    try {
      this.#conn.close();
    } catch {
      // Already closed by the runtime: the outcome we wanted.
    }
    this.#events?.close(error);
  }
}

function listenTcp(options: ListenOptions): Promise<TcpListener> {
  // Deno's own TLS listener cannot free a stalled handshake's descriptor (see node_tls_server.ts).
  if (options.tls) return listenNodeTls(options);
  const { hostname, port } = options;
  let listener: Deno.Listener<Deno.TcpConn>;
  try {
    listener = Deno.listen({ hostname, port, transport: "tcp" });
  } catch (error) {
    return Promise.reject(toNetError(error, { operation: "listen", address: { hostname, port } }));
  }
  let closed = false;
  // Deno releases the port only when the pending accept is cancelled, so close() waits for this.
  const accepting = (async () => {
    let backoffMs = 0;
    while (!closed) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (closed) return;
        // Only a closed listener ends the loop. A peer that reset before it was
        // accepted (a port scanner does) fails this accept with NotConnected;
        // that costs the others nothing.
        if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) {
          return;
        }
        const netError = toNetError(error);
        if (netError.code === "CLOSED" || netError.code === "CONNECTION_RESET") continue;
        // Usually out of file descriptors: the pending connection stays in the
        // backlog, so retrying at once would spin. Waits grow to a second, which
        // also keeps the log to about a line a second.
        backoffMs = Math.min(ACCEPT_BACKOFF_MAX_MS, Math.max(ACCEPT_BACKOFF_MIN_MS, backoffMs * 2));
        options.onAcceptError?.(netError);
        await delay(backoffMs);
        continue;
      }
      backoffMs = 0;
      handOver(conn, options);
    }
  })();
  return Promise.resolve({
    address: toAddress(listener.addr),
    close() {
      if (!closed) {
        closed = true;
        try {
          listener.close();
        } catch {
          // Already closed.
        }
      }
      return accepting;
    },
  });
}

// The owner's hook may throw: that costs this connection, never the accept loop.
function handOver(conn: Deno.TcpConn, options: ListenOptions): void {
  const connection = new DenoTcpConnection(conn);
  try {
    options.onConnection(connection);
  } catch (error) {
    connection.close();
    options.onAcceptError?.(error instanceof Error ? error : new Error(String(error)));
  }
}

async function connectTcp(to: SocketAddress): Promise<TcpConnection> {
  const started = performance.now();
  try {
    const conn = await Deno.connect({ hostname: to.hostname, port: to.port, transport: "tcp" });
    return new DenoTcpConnection(conn);
  } catch (error) {
    throw toConnectError(error, to, performance.now() - started);
  }
}

// Deno.connectTls can neither accept a certificate it cannot verify nor show
// the one it got (2.9), and pinning a lab server's self-signed certificate
// needs both; node:tls on Deno does both.
function connectTls(to: SocketAddress, tls: TlsClientOptions): Promise<TlsConnection> {
  return connectNodeTls(to, tls);
}

function bindUdp(options: BindOptions): Promise<UdpSocket> {
  const { hostname, port } = options;
  if (typeof Deno.listenDatagram !== "function") {
    return Promise.reject(
      new NetError(
        "UNKNOWN",
        "UDP on Deno needs its unstable 'net' API, which socklab's deno.json turns on: run from the socklab folder",
        { operation: "bind", address: { hostname, port } },
      ),
    );
  }
  let socket: Deno.DatagramConn;
  try {
    socket = Deno.listenDatagram({ hostname, port, transport: "udp" });
  } catch (error) {
    return Promise.reject(toNetError(error, { operation: "bind", address: { hostname, port } }));
  }
  const localAddress = toAddress(socket.addr);
  const calls = openDenoUdpCalls(
    hostname.includes(":") ? "IPv6" : "IPv4",
    localAddress.port,
    options.receiveBufferBytes,
  );
  const receiveBufferBytes = calls?.receiveBufferBytes;
  let events: DatagramEvents | undefined;
  let closed = false;
  // Nothing is received before start(): until then datagrams wait in the
  // kernel's receive buffer, which drops what does not fit.
  let receiving: Promise<void> | undefined;
  // Sends go out one after another, off the receive path: awaiting each send
  // before the next receive cut throughput by two thirds, and firing them all
  // at once let datagrams overtake each other even on loopback.
  // A send that finds the system's buffer full waits inside Deno until it has room.
  const outbox = new DatagramQueue();
  let sending: Promise<void> | undefined;
  let closing = false;
  // Before start() nobody listens for errors, so they are dropped.
  const fail = (error: Error) => events?.error(error);
  const drainOutbox = async () => {
    while (outbox.length > 0 && !closed) {
      const [data, to] = outbox.first()!;
      try {
        await socket.send(data, { transport: "udp", hostname: to.hostname, port: to.port });
      } catch (error) {
        if (!closed) fail(toNetError(error, { operation: "send", address: to }));
      }
      // Taken off once sent, so that the count of queued datagrams includes the one in flight.
      outbox.shift();
    }
    sending = undefined;
  };
  return Promise.resolve({
    localAddress,
    receiveBufferBytes,
    start(given: DatagramEvents): void {
      if (events) throw new Error("UdpSocket.start() was called twice");
      events = given;
      if (!closing) receiving = receiveLoop(socket, given, () => closed, calls);
    },
    send(data: Uint8Array, to: SocketAddress): void {
      if (closing) return;
      // Straight to the system when nothing waits before it, so none overtakes another.
      if (outbox.length === 0 && calls?.sendTo(data, to)) return;
      if (!outbox.push(data, to)) return fail(sendQueueFull(to));
      sending ??= drainOutbox();
    },
    get queuedDatagrams() {
      return outbox.length;
    },
    async flushed(): Promise<void> {
      await sending;
    },
    async close(): Promise<void> {
      if (!closing) {
        closing = true;
        // Datagrams already accepted by send() still go out, as they would from the kernel's buffer.
        await sending;
        closed = true;
        calls?.close();
        try {
          socket.close();
        } catch {
          // Already closed.
        }
      }
      // Deno frees the port once the pending receive is cancelled, a turn later.
      await receiving;
    },
  });
}

// Datagrams taken straight from the system's buffer after each of Deno's
// receives, before waiting with Deno again: enough to empty a burst, few
// enough that timers and other sockets get their turn.
const DIRECT_RECEIVES_PER_TURN = 64;

async function receiveLoop(
  socket: Deno.DatagramConn,
  events: DatagramEvents,
  isClosed: () => boolean,
  calls: DenoUdpCalls | undefined,
): Promise<void> {
  // Datagrams land one after another in a slab, and each is handed on as a view
  // of it, so none is copied or overwritten. A receive always gets room for the
  // largest datagram: with less, Deno truncates.
  let slab = new Uint8Array(DATAGRAM_SLAB_BYTES);
  let used = 0;
  while (!isClosed()) {
    try {
      if (slab.length - used < MAX_DATAGRAM_BYTES) {
        slab = new Uint8Array(DATAGRAM_SLAB_BYTES);
        used = 0;
      }
      const [data, from] = await socket.receive(used === 0 ? slab : slab.subarray(used));
      used += data.length;
      events.message(data, toAddress(from));
      // Each of Deno's receives is an op through its async runtime: the rest of
      // a burst is taken directly. With the direct sends, the UDP echo server's
      // CPU per datagram fell to about a third (bench/cpu_cost_ab.sh, both orders).
      for (let i = 0; i < DIRECT_RECEIVES_PER_TURN && calls && !isClosed(); i++) {
        if (slab.length - used < MAX_DATAGRAM_BYTES) {
          slab = new Uint8Array(DATAGRAM_SLAB_BYTES);
          used = 0;
        }
        const length = calls.receiveFrom(slab.subarray(used));
        if (length < 0) break;
        const direct = slab.subarray(used, used + length);
        used += length;
        events.message(direct, calls.from);
      }
    } catch (error) {
      if (isClosed()) return;
      const netError = toNetError(error, { operation: "receive" });
      if (netError.code === "CLOSED") return;
      events.error(netError);
    }
  }
}

/** The Deno implementation of the runtime adapter. */
export const denoAdapter: RuntimeAdapter = {
  name: "deno",
  fastIndexOf: false,
  listenTcp,
  connectTcp,
  connectTls,
  bindUdp,
};
