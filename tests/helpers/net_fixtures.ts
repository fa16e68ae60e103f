// Raw adapter fixtures shared by the adapter and library tests.
import { runtime } from "../../src/net/runtime.ts";
import type { StreamEvents, TcpConnection, TcpListener } from "../../src/net/types.ts";

/**
 * Rejects with a message naming `what` when `promise` has not settled within
 * `ms`, so a broken test fails with a reason instead of hanging.
 */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

/** Records everything a connection reports, with promises to wait on. */
export class Recorder implements StreamEvents {
  chunks: Uint8Array[] = [];
  received = 0;
  endCount = 0;
  closeCount = 0;
  readonly ended: Promise<void>;
  readonly closed: Promise<Error | undefined>;
  /** When set, `data` returns it, which pauses reading until it settles. */
  pause: Promise<void> | undefined;
  #markEnded!: () => void;
  #markClosed!: (error: Error | undefined) => void;
  #waiters: (() => void)[] = [];

  constructor() {
    this.ended = new Promise((resolve) => (this.#markEnded = resolve));
    this.closed = new Promise((resolve) => (this.#markClosed = resolve));
  }

  data(chunk: Uint8Array): void | Promise<void> {
    this.chunks.push(chunk);
    this.received += chunk.length;
    for (const wake of this.#waiters.splice(0)) wake();
    return this.pause;
  }

  end(): void {
    this.endCount++;
    this.#markEnded();
  }

  close(error?: Error): void {
    this.closeCount++;
    this.#markClosed(error);
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves once at least `bytes` bytes have arrived. */
  async receivedAtLeast(bytes: number, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.received < bytes) {
      if (this.closeCount > 0) throw new Error(`closed after ${this.received} of ${bytes} bytes`);
      const left = deadline - Date.now();
      await within(
        new Promise<void>((resolve) => this.#waiters.push(resolve)),
        left,
        `${bytes} bytes`,
      );
    }
  }

  /** Everything received so far, joined. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.received);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

/** A listener and one connection through it, both ends started with recorders. */
export interface Pair {
  listener: TcpListener;
  client: TcpConnection;
  server: TcpConnection;
  clientEvents: Recorder;
  serverEvents: Recorder;
  /** Closes both ends and the listener, and waits until both ends report closed. */
  close(): Promise<void>;
}

/** Both ends of one connection through a listener, not started. */
export interface AcceptedPair {
  listener: TcpListener;
  client: TcpConnection;
  server: TcpConnection;
  /**
   * Closes both ends and the listener, then waits until `closed` (the close
   * reports of whatever the test started) have settled.
   */
  close(...closed: Promise<unknown>[]): Promise<void>;
}

/**
 * Listens on `hostname`, connects to it, and returns both ends, not started,
 * for a test that starts them its own way and closes them with `close`.
 */
export async function acceptedPair(hostname = "127.0.0.1"): Promise<AcceptedPair> {
  let accept!: (connection: TcpConnection) => void;
  const accepted = new Promise<TcpConnection>((resolve) => (accept = resolve));
  const listener = await runtime.listenTcp({ hostname, port: 0, onConnection: accept });
  let client: TcpConnection | undefined;
  try {
    client = await runtime.connectTcp(listener.address);
    const server = await within(accepted, 5000, "accept");
    return closable(listener, client, server);
  } catch (error) {
    client?.close();
    await listener.close();
    throw error;
  }
}

function closable(listener: TcpListener, client: TcpConnection, server: TcpConnection) {
  return {
    listener,
    client,
    server,
    async close(...closed: Promise<unknown>[]): Promise<void> {
      client.close();
      server.close();
      await within(listener.close(), 5000, "listener close");
      await within(Promise.all(closed), 5000, "close");
      // Lets the runtime settle the reads our close() interrupted (Deno's op sanitizer).
      await new Promise((resolve) => setTimeout(resolve, 10));
    },
  };
}

/** Listens on `hostname`, connects to it, and starts both ends. */
export async function connectedPair(hostname = "127.0.0.1"): Promise<Pair> {
  const pair = await acceptedPair(hostname);
  const clientEvents = new Recorder();
  const serverEvents = new Recorder();
  pair.client.start(clientEvents);
  pair.server.start(serverEvents);
  return {
    ...pair,
    clientEvents,
    serverEvents,
    close: () => pair.close(clientEvents.closed, serverEvents.closed),
  };
}

/** Returns a port nothing listens on right now (bound, then released). */
export async function closedPort(hostname = "127.0.0.1"): Promise<number> {
  const listener = await runtime.listenTcp({ hostname, port: 0, onConnection: (c) => c.close() });
  const { port } = listener.address;
  await listener.close();
  return port;
}

/** Deterministic test bytes: `length` bytes of a pattern that never repeats in step with a chunk. */
export function patternBytes(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
