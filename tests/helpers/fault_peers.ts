// Misbehaving peers and server probes for the fault battery: raw sockets that
// send what no well-behaved client would, and readings of the server's
// descriptors and memory from /proc.
import { spawnSync } from "node:child_process";
import net from "node:net";
import type { FramingName } from "../../src/framing/mod.ts";
import { connect } from "../../src/tcp/tcp_client.ts";

const utf8 = new TextEncoder();
const WAIT_MS = 10_000;

/**
 * A raw TCP client on `node:net`, which both runtimes ship and which, unlike
 * the adapter, can reset a connection. It records every byte it receives.
 */
export class RawClient {
  readonly socket: net.Socket;
  readonly ended: Promise<void>;
  readonly closed: Promise<void>;
  #chunks: Uint8Array[] = [];
  received = 0;
  /** The local port, noted at connect (a socket the server closed at once may forget it). */
  localPort = 0;
  #ended = false;
  #closed = false;
  #listeners: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    // Resets and refusals are what these peers are for, not failures of the test.
    socket.on("error", () => {});
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      this.received += chunk.length;
      this.#notify();
    });
    this.ended = new Promise((resolve) =>
      socket.once("end", () => {
        this.#ended = true;
        this.#notify();
        resolve();
      })
    );
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.#closed = true;
        this.#notify();
        resolve();
      })
    );
  }

  /** Connects to `port` on `host`, optionally from `localAddress`. */
  static async open(
    port: number,
    { host = "127.0.0.1", localAddress }: { host?: string; localAddress?: string } = {},
  ): Promise<RawClient> {
    const socket = net.connect({ host, port, localAddress, allowHalfOpen: true });
    const client = new RawClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => {
        client.localPort = socket.localPort ?? 0;
        resolve();
      });
      socket.once("error", reject);
    });
    return client;
  }

  /** True once the server closed or reset the connection. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Everything received so far, as one buffer. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.received);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  /** Everything received so far, decoded as UTF-8 (invalid bytes replaced). */
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }

  /** Writes raw bytes or text, as is. */
  write(data: Uint8Array | string): void {
    this.socket.write(typeof data === "string" ? utf8.encode(data) : data);
  }

  /** Waits until `done()` holds, failing after `ms` with what arrived. */
  async until(done: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}; received: ${JSON.stringify(this.text())}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for at least `bytes` bytes. */
  async receivedAtLeast(bytes: number, ms = WAIT_MS): Promise<void> {
    await this.until(() => this.received >= bytes, `${bytes} bytes`, ms);
  }

  /** Waits until the server has closed its side (FIN or reset). */
  async serverClosed(ms = WAIT_MS): Promise<void> {
    await this.until(() => this.#ended || this.#closed, "the server to close", ms);
  }

  /** Aborts the connection with a TCP reset (SO_LINGER 0) and waits for the close. */
  async reset(): Promise<void> {
    this.socket.resetAndDestroy();
    await this.closed;
  }

  /** Closes at once and waits; for `finally` blocks. */
  async destroy(): Promise<void> {
    this.socket.destroy();
    await this.closed;
  }

  #notify(): void {
    for (const listener of this.#listeners.splice(0)) listener();
  }
}

/** A server under test: where it listens and how it answers. */
export interface Target {
  port: number;
  framing: FramingName;
  mode: "echo" | "upper" | "chat";
  host?: string;
}

let probeCount = 0;

/**
 * Asserts that a fresh client is served correctly: echo and upper answer a
 * new message (upper in upper case); chat welcomes two clients and relays
 * between them. Throws with the reason when not.
 */
export async function assertServes(target: Target): Promise<void> {
  const { port, framing, host = "127.0.0.1" } = target;
  const text = `fresh probe ${++probeCount} é`;
  const first = await connect({ host, port, framing, timeoutMs: WAIT_MS });
  try {
    if (target.mode !== "chat") {
      first.send(text);
      const reply = (await first.receive(WAIT_MS))?.text;
      const expected = target.mode === "upper" ? text.toUpperCase() : text;
      if (reply !== expected) throw new Error(`fresh client got ${reply}, not ${expected}`);
      return;
    }
    const welcome = (await first.receive(WAIT_MS))?.text ?? "";
    if (!welcome.startsWith("* welcome")) throw new Error(`fresh client got ${welcome}`);
    const second = await connect({ host, port, framing, timeoutMs: WAIT_MS });
    try {
      const welcome2 = (await second.receive(WAIT_MS))?.text ?? "";
      const name = welcome2.match(/you are (guest-\d+)/)?.[1];
      if (!name) throw new Error(`second fresh client got ${welcome2}`);
      second.send(text);
      // Join and leave notices of earlier cases may come first.
      for (;;) {
        const line = (await first.receive(WAIT_MS))?.text;
        if (line === undefined) throw new Error("the server closed a fresh chat client");
        if (line === `<${name}> ${text}`) break;
        if (!line.startsWith("* ")) throw new Error(`fresh chat client got ${line}`);
      }
    } finally {
      second.close();
      await second.closed;
    }
  } finally {
    first.close();
    await first.closed;
  }
}

// Deno asks for --allow-all before it lets a script read /proc/PID, and tests
// run with -P; a tiny subprocess reads it instead (run permission suffices).
function readProc(pid: number, what: "fd" | "status"): string {
  const [command, args] = what === "fd" ? ["ls", ["-1", `/proc/${pid}/fd`]] : [
    "cat",
    [`/proc/${pid}/status`],
  ] as const;
  const result = spawnSync(command, [...args], { encoding: "utf8", timeout: 5_000 });
  if (result.status !== 0) throw new Error(`cannot read /proc/${pid}/${what}: ${result.stderr}`);
  return result.stdout;
}

/** How many descriptors process `pid` has open now. */
export function openFds(pid: number): number {
  return readProc(pid, "fd").split("\n").filter((line) => line !== "").length;
}

/** A memory figure of process `pid` in bytes: VmRSS (resident now) or VmHWM (peak resident). */
export function memoryOf(pid: number, field: "VmRSS" | "VmHWM" = "VmRSS"): number {
  const status = readProc(pid, "status");
  const kib = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1];
  if (kib === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kib) * 1024;
}

/**
 * Waits until process `pid` has at most `limit` descriptors open (closing a
 * socket is asynchronous in both runtimes), failing with the count after `ms`.
 */
export async function fdsSettle(pid: number, limit: number, ms = WAIT_MS): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const count = openFds(pid);
    if (count <= limit) return count;
    if (Date.now() > deadline) {
      throw new Error(`server still has ${count} descriptors open, more than ${limit}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Deterministic pseudo-random bytes, so a failing case can be replayed. */
export function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    // xorshift32: fast, and every byte value occurs, newlines included.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A 4-byte big-endian length header claiming `size` bytes. */
export function lengthHeader(size: number): Uint8Array {
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, size);
  return header;
}
