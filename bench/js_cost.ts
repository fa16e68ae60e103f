// The JavaScript a message costs socklab above the runtime's socket calls, in
// nanoseconds: the real server (`serve`, `serveUdp`, line framing, echo)
// driven through a connection and a UDP socket that only count, so the
// figure has none of the kernel's or the scheduler's noise, which on a shared
// 2-core VM moves a ping-pong's CPU per message by 20% from minute to minute.
// A raw echo spends about the same on its own read/write calls, so this is the
// part of socklab's CPU per message that the raw echo does not have.
//   deno run -A bench/js_cost.ts   |   bun bench/js_cost.ts
import process from "node:process";
import { echo, serve, serveUdp } from "../mod.ts";
import type {
  SocketAddress,
  StreamEvents,
  TcpConnection,
  TcpListener,
  UdpSocket,
} from "../src/net/mod.ts";
import { runtime } from "../src/net/mod.ts";
import type { DatagramEvents } from "../src/net/types.ts";

const MESSAGES = 2_000_000;
// As `server.ts --idle-timeout 60`: a lab server that closes silent clients marks every message.
const IDLE_MS = 60_000;
const ROUNDS = 5;
const LOCAL = { hostname: "127.0.0.1", port: 9 };
const PEER = { hostname: "127.0.0.1", port: 40000 };

// A connection that delivers what the benchmark hands it and counts what is written.
class CountingConnection implements TcpConnection {
  readonly localAddress = LOCAL;
  readonly remoteAddress = PEER;
  readonly bufferedBytes = 0;
  readonly bufferedMemory = 0;
  writtenBytes = 0;
  events: StreamEvents | undefined;
  start(events: StreamEvents): void {
    this.events = events;
  }
  write(bytes: Uint8Array): void {
    this.writtenBytes += bytes.length;
  }
  releaseChunk(): void {}
  flushed(): Promise<void> {
    return Promise.resolve();
  }
  closeWrite(): Promise<void> {
    return Promise.resolve();
  }
  close(): void {
    this.events?.close();
  }
  setNoDelay(): void {}
}

class CountingUdpSocket implements UdpSocket {
  readonly localAddress = LOCAL;
  readonly queuedDatagrams = 0;
  sent = 0;
  events: DatagramEvents | undefined;
  start(events: DatagramEvents): void {
    this.events = events;
  }
  send(_data: Uint8Array, _to: SocketAddress): void {
    this.sent++;
  }
  flushed(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const line = new Uint8Array(64).fill(0x61);
line[63] = 0x0a;

// 50 clients, as the load generator's ping-pong workload, each message from the next.
const CLIENTS = 50;

/** socklab's JavaScript per TCP line echoed, in nanoseconds, over `messages` messages. */
export async function tcpLineEcho(messages = MESSAGES): Promise<number> {
  const connections = Array.from({ length: CLIENTS }, () => new CountingConnection());
  const listen = runtime.listenTcp;
  (runtime as { listenTcp: typeof listen }).listenTcp = (options) => {
    queueMicrotask(() => connections.forEach((c) => options.onConnection(c)));
    return Promise.resolve({ address: LOCAL, close: () => Promise.resolve() } as TcpListener);
  };
  const server = await serve({ host: "127.0.0.1", port: 0, idleTimeoutMs: IDLE_MS }, echo);
  (runtime as { listenTcp: typeof listen }).listenTcp = listen;
  await Promise.resolve();
  // Each connection's reads land in a slab of its own, as an adapter's do.
  const chunks = connections.map(() => {
    const slab = new Uint8Array(4096);
    slab.set(line);
    return slab.subarray(0, line.length);
  });
  // Called as methods, as the adapters call them: the events may be a class's.
  const events = connections.map((c) => c.events!);
  const started = performance.now();
  for (let i = 0; i < messages; i++) events[i % CLIENTS]!.data(chunks[i % CLIENTS]!);
  const ns = ((performance.now() - started) * 1e6) / messages;
  const written = connections.reduce((sum, c) => sum + c.writtenBytes, 0);
  if (written !== messages * line.length) throw new Error("echo lost bytes");
  await server.close();
  return ns;
}

/** socklab's JavaScript per UDP datagram echoed, in nanoseconds, over `messages` datagrams. */
export async function udpEcho(messages = MESSAGES): Promise<number> {
  const socket = new CountingUdpSocket();
  const bind = runtime.bindUdp;
  (runtime as { bindUdp: typeof bind }).bindUdp = () => Promise.resolve(socket);
  const server = await serveUdp({ host: "127.0.0.1", limitAmplification: true }, echo);
  (runtime as { bindUdp: typeof bind }).bindUdp = bind;
  const datagram = new Uint8Array(64).fill(0x62);
  const events = socket.events!;
  const peers = Array.from({ length: CLIENTS }, (_, i) => ({ ...PEER, port: PEER.port + i }));
  const started = performance.now();
  for (let i = 0; i < messages; i++) events.message(datagram, peers[i % CLIENTS]!);
  const ns = ((performance.now() - started) * 1e6) / messages;
  if (socket.sent !== messages) throw new Error(`echoed ${socket.sent} of ${messages}`);
  await server.close();
  return ns;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

if (import.meta.main) {
  for (const [name, run] of [["tcp line echo", tcpLineEcho], ["udp echo", udpEcho]] as const) {
    const figures: number[] = [];
    for (let round = 0; round < ROUNDS; round++) figures.push(await run());
    process.stdout.write(
      `${runtime.name} ${name}: ${median(figures).toFixed(0)} ns per message (rounds ${
        figures.map((n) => n.toFixed(0)).join(" ")
      })\n`,
    );
  }
}
