// Issue 12's hostile peers, shared by tests/scripts/fault_battery_hostile_test.ts and
// the cases bench/soak.ts tries: clients that flood and stop reading, paste a
// file into a chat, reset while their echo is paused, pipeline /who, or join
// by the thousand. Where they can they report figures rather than judge, so
// the bench can print them; the tests and fault cases decide what is wrong.
import { spawnSync } from "node:child_process";
import net from "node:net";
import { delay } from "../../src/async/delay.ts";
import { connect } from "../../src/tcp/tcp_client.ts";
import { memoryOf, RawClient } from "./fault_peers.ts";
import { listeningOn, RunningScript, scriptCommand } from "./scripts.ts";

const MIB = 1024 * 1024;
const WAIT_MS = 10_000;
const utf8 = new TextEncoder();

/** The project's one delay, by the name tests know it by. */
export const sleep = delay;

let clockTicks: number | undefined;

/**
 * CPU time (user plus system, all threads) process `pid` has used so far, in
 * seconds, from /proc/PID/stat. Read by a subprocess for the same reason as
 * fault_peers.ts reads /proc: deno test runs with -P, not --allow-all.
 */
export function cpuSecondsOf(pid: number): number {
  clockTicks ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;
  const result = spawnSync("cat", [`/proc/${pid}/stat`], { encoding: "utf8", timeout: 5_000 });
  if (result.status !== 0) throw new Error(`cannot read /proc/${pid}/stat: ${result.stderr}`);
  // The command name may hold spaces and parentheses: fields are counted after its closing one.
  const fields = result.stdout.slice(result.stdout.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat(5); field 3 is the first after the name.
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** The soft limit on open descriptors this process (and so the servers it starts) inherits. */
export function descriptorLimit(): number {
  const result = spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" });
  const limit = result.stdout.trim();
  return limit === "unlimited" ? Infinity : Number(limit);
}

/**
 * Starts `server.ts` with `args` like startServer does, but with at most
 * `limit` open descriptors: `ulimit -n` in a shell that then execs the exact
 * command, so the server's pid is the shell's.
 */
export async function startServerWithFdLimit(
  limit: number,
  args: string[],
): Promise<{ server: RunningScript; port: number }> {
  const [command, argv] = scriptCommand("server.ts", args);
  const server = new RunningScript("sh", [
    "-c",
    `ulimit -n ${limit} && exec "$0" "$@"`,
    command,
    ...argv,
  ]);
  return await listeningOn(server);
}

/** Samples a process's resident memory in the background and keeps the highest reading. */
export class MemoryWatch {
  peak = 0;
  readonly #pid: number;
  readonly #peakBefore: number;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(pid: number, everyMs = 200) {
    this.#pid = pid;
    this.#peakBefore = memoryOf(pid, "VmHWM");
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), everyMs);
  }

  /**
   * Stops sampling and returns the peak. A spike between samples still
   * counts: when the kernel's own peak (VmHWM) rose while watching, it was
   * reached while watching.
   */
  stop(): number {
    clearInterval(this.#timer);
    this.#sample();
    try {
      const peakNow = memoryOf(this.#pid, "VmHWM");
      if (peakNow > this.#peakBefore) this.peak = Math.max(this.peak, peakNow);
    } catch {
      // The process has exited; the caller finds out on its own.
    }
    return this.peak;
  }

  #sample(): void {
    try {
      this.peak = Math.max(this.peak, memoryOf(this.#pid));
    } catch {
      // As in stop().
    }
  }
}

/** Opens `count` raw clients, closing those already open if one fails. */
export async function openClients(port: number, count: number): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  try {
    for (let i = 0; i < count; i++) clients.push(await RawClient.open(port));
  } catch (error) {
    await closeClients(clients);
    throw error;
  }
  return clients;
}

/** Destroys every client and waits for each to close. */
export async function closeClients(clients: readonly RawClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.destroy()));
}

/** Waits for a chat client's welcome and returns the name it was given. */
export async function chatName(client: RawClient): Promise<string> {
  await client.until(() => /you are (guest-\d+)/.test(client.text()), "the chat welcome");
  return client.text().match(/you are (guest-\d+)/)![1]!;
}

/** What {@linkcode floodUntilStalled} saw. */
export interface FloodFigures {
  /** Bytes each client handed to the kernel before the server stopped taking them. */
  taken: number[];
  /** True when the server stopped reading; false when it took all `maxBytes`. */
  stalled: boolean;
}

/**
 * Makes each client send 1 KiB lines in 1 MiB blocks, reading none of the
 * replies, until the server stops taking bytes from every one of them for
 * `stallMs` (its writes to them are blocked, so it stops reading), or
 * `maxBytes` each were sent. The clients are left paused, sending nothing more.
 */
export async function floodUntilStalled(
  clients: readonly RawClient[],
  { stallMs = 500, maxBytes = 64 * MIB, timeoutMs = 30_000 } = {},
): Promise<FloodFigures> {
  const block = utf8.encode(`${"f".repeat(1023)}\n`.repeat(1024));
  const queued = clients.map(() => 0);
  const taken = () => clients.map((client, i) => queued[i]! - client.socket.writableLength);
  for (const client of clients) client.socket.pause();
  const deadline = Date.now() + timeoutMs;
  let last = taken();
  let stillSince = Date.now();
  for (;;) {
    clients.forEach((client, i) => {
      // A few MiB kept waiting on our side, so the server always has more to read.
      if (client.socket.writableLength < 4 * MIB && queued[i]! < maxBytes) {
        client.write(block);
        queued[i]! += block.length;
      }
    });
    await sleep(100);
    const now = taken();
    if (now.some((bytes, i) => bytes !== last[i])) {
      last = now;
      stillSince = Date.now();
    } else if (Date.now() - stillSince >= stallMs) {
      return { taken: now, stalled: clients.some((client) => client.socket.writableLength > 0) };
    }
    if (Date.now() > deadline) {
      throw new Error(`the server kept reading the flood for ${timeoutMs} ms: ${now} bytes taken`);
    }
  }
}

/**
 * Connects a fresh echo client every 250 ms until one gets its echo back and
 * returns how long that took; throws with the last answer after `withinMs`.
 */
export async function msUntilServed(port: number, withinMs: number): Promise<number> {
  const start = Date.now();
  for (let attempt = 1;; attempt++) {
    const text = `let me in ${attempt}`;
    const connection = await connect({ port, timeoutMs: WAIT_MS });
    let answer: string;
    try {
      connection.send(text);
      answer = await connection.receive(2_000).then(
        (reply) => reply?.text ?? "(closed)",
        (error: Error) => `(${error.message})`,
      );
    } finally {
      connection.close();
      await connection.closed;
    }
    if (answer === text) return Date.now() - start;
    if (Date.now() - start > withinMs) {
      throw new Error(`no client served within ${withinMs} ms; the last got: ${answer}`);
    }
    await sleep(250);
  }
}

/**
 * An echo client the server has taken on (its first line came back), trying
 * again for up to `ms` while the server refuses it: a place a client has just
 * left may take the server a moment to free.
 */
export async function servedClient(port: number, ms = 5_000): Promise<RawClient> {
  const deadline = Date.now() + ms;
  for (;;) {
    const client = await RawClient.open(port);
    client.write("taken on\n");
    // Briefly: a refusal that goes wrong may leave the connection open and silent.
    await client.until(() => client.text().includes("\n") || client.isClosed, "an answer", 1_000)
      .catch(() => {});
    if (client.text() === "taken on\n") return client;
    await client.destroy();
    if (Date.now() > deadline) throw new Error(`not taken on within ${ms} ms: the server is full`);
    await sleep(200);
  }
}

/** What {@linkcode pasteIntoChat} saw. */
export interface PasteFigures {
  sent: number;
  /** Lines the reader got, counted from the first, up to the first missing or wrong one. */
  delivered: number;
  /** All the lines the reader got from the sender, in the order sent, none wrong. */
  inOrder: boolean;
  /** The server closed the reader. */
  readerClosed: boolean;
  /** The reader, still in the room afterwards, heard that the sender left. */
  heardLeave: boolean;
  elapsedMs: number;
  sender: string;
}

/**
 * A chat member pastes `lines` lines of about 100 bytes at once and
 * half-closes (what `nc HOST PORT < file` does), while another member reads
 * as fast as it can. Waits until the reader has everything, or receives
 * nothing for `stallMs`, or `timeoutMs` pass.
 */
export async function pasteIntoChat(
  port: number,
  { lines = 20_000, stallMs = 10_000, timeoutMs = 50_000 } = {},
): Promise<PasteFigures> {
  const reader = await RawClient.open(port);
  let sender: RawClient | undefined;
  try {
    await chatName(reader);
    sender = await RawClient.open(port);
    const name = await chatName(sender);
    const paste = Array.from(
      { length: lines },
      (_, i) => `paste ${String(i).padStart(5, "0")} ${"p".repeat(88)}`,
    );
    const relayed = paste.map((line) => `<${name}> ${line}`);
    const expectedBytes = relayed.reduce((sum, line) => sum + line.length + 1, 0);
    const start = Date.now();
    sender.write(`${paste.join("\n")}\n`);
    sender.socket.end();
    let seen = reader.received;
    let movedAt = Date.now();
    // Counting bytes, not lines, so waiting costs nothing while megabytes arrive.
    while (reader.received < expectedBytes && !reader.isClosed) {
      await sleep(100);
      if (reader.received !== seen) {
        seen = reader.received;
        movedAt = Date.now();
      } else if (Date.now() - movedAt > stallMs) break;
      if (Date.now() - start > timeoutMs) break;
    }
    const elapsedMs = Date.now() - start;
    // The sender half-closed: once answered it is closed, and the members still there hear of it.
    const leave = `* ${name} left\n`;
    // Polled slowly: each look decodes megabytes.
    for (let waited = 0; waited < 5_000 && !reader.isClosed; waited += 250) {
      if (reader.text().endsWith(leave)) break;
      await sleep(250);
    }
    const heardLeave = reader.text().includes(leave);
    const got = reader.text().split("\n").filter((line) => line.startsWith(`<${name}> `));
    let delivered = 0;
    while (delivered < got.length && got[delivered] === relayed[delivered]) delivered++;
    return {
      sent: lines,
      delivered,
      inOrder: delivered === got.length,
      readerClosed: reader.isClosed,
      heardLeave,
      elapsedMs,
      sender: name,
    };
  } finally {
    await sender?.destroy();
    await reader.destroy();
  }
}

/** A plain node:net client that counts what arrives instead of keeping it. */
class CountingPeer {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  received = 0;
  #isClosed = false;
  #wake: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("error", () => {});
    socket.on("data", (chunk: Uint8Array) => {
      this.received += chunk.length;
      this.#notify();
    });
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.#isClosed = true;
        this.#notify();
        resolve();
      })
    );
  }

  static async open(port: number, host = "127.0.0.1"): Promise<CountingPeer> {
    const socket = net.connect({ host, port, allowHalfOpen: true });
    const peer = new CountingPeer(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return peer;
  }

  /**
   * Resolves with `done()` once it holds, the connection closes or `ms` pass.
   * Checked on every chunk, not on a timer: on loopback a few milliseconds
   * carry megabytes.
   */
  async until(done: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!done() && !this.#isClosed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return done();
  }

  #notify(): void {
    for (const wake of this.#wake.splice(0)) wake();
  }
}

/** A line of `bytes` bytes plus its newline. */
export function bigLine(bytes: number): Uint8Array {
  const line = new Uint8Array(bytes + 1).fill(0x78);
  line[bytes] = 0x0a;
  return line;
}

/**
 * `clients` clients each send `line` and half-close, then read the whole echo
 * until the server closes. Returns the bytes received in all; the memory a
 * runtime keeps for reuse after moving this much is part of its baseline.
 */
export async function echoWhole(port: number, line: Uint8Array, clients: number): Promise<number> {
  const peers: CountingPeer[] = [];
  try {
    for (let i = 0; i < clients; i++) peers.push(await CountingPeer.open(port));
    for (const peer of peers) {
      peer.socket.write(line);
      peer.socket.end();
    }
    await Promise.all(peers.map((peer) => peer.until(() => false, 30_000)));
    return peers.reduce((sum, peer) => sum + peer.received, 0);
  } finally {
    for (const peer of peers) peer.socket.destroy();
    await Promise.all(peers.map((peer) => peer.closed));
  }
}

/**
 * `clients` clients each send `line`, read `readBytes` of the echo (or
 * whatever comes before the server closes), then close with the rest unread,
 * which makes their kernel answer with a reset while the server's echo to
 * them is paused. Returns how many got `readBytes`.
 */
export async function resetDuringEcho(
  port: number,
  line: Uint8Array,
  { clients = 20, readBytes = 1000 } = {},
): Promise<number> {
  const peers: CountingPeer[] = [];
  // Each peer on its own, as separate clients would: connect, send, read a little, reset.
  const one = async () => {
    const peer = await CountingPeer.open(port);
    peers.push(peer);
    peer.socket.write(line);
    const enough = await peer.until(() => peer.received >= readBytes, WAIT_MS);
    // At once, with the rest unread: a peer left reading would take the whole echo first.
    peer.socket.pause();
    peer.socket.resetAndDestroy();
    return enough;
  };
  try {
    const read = await Promise.all(Array.from({ length: clients }, one));
    return read.filter(Boolean).length;
  } finally {
    for (const peer of peers) if (!peer.socket.destroyed) peer.socket.resetAndDestroy();
    await Promise.all(peers.map((peer) => peer.closed));
  }
}

/**
 * A chat room of reading members, which attackers then flood by pipelining
 * `/who` and never reading the answers. Close it with {@linkcode WhoFlood.close}.
 */
export class WhoFlood {
  readonly members: RawClient[] = [];
  readonly attackers: RawClient[] = [];
  readonly #names: string[] = [];
  readonly #port: number;

  private constructor(port: number) {
    this.#port = port;
  }

  /** Opens the room with `members` readers (at least 2 for {@linkcode relay}). */
  static async open(port: number, members: number): Promise<WhoFlood> {
    const room = new WhoFlood(port);
    try {
      // One at a time, so every member is in the room (and in every /who) before the attack.
      for (let i = 0; i < members; i++) {
        const member = await RawClient.open(port);
        room.members.push(member);
        room.#names.push(await chatName(member));
      }
    } catch (error) {
      await room.close();
      throw error;
    }
    return room;
  }

  /** Starts `attackers` clients that each send `/who` `repeats` times at once and read nothing. */
  async attack(attackers: number, repeats: number): Promise<void> {
    const pipeline = utf8.encode("/who\n".repeat(repeats));
    for (let i = 0; i < attackers; i++) {
      const attacker = await RawClient.open(this.#port);
      this.attackers.push(attacker);
      attacker.socket.pause();
      attacker.write(pipeline);
    }
  }

  /**
   * Has the first member say `text` and returns how long it took to reach the
   * second; throws after `ms`.
   */
  async relay(text: string, ms = WAIT_MS): Promise<number> {
    const [from, to] = this.members;
    const start = Date.now();
    from!.write(`${text}\n`);
    const expected = `<${this.#names[0]}> ${text}\n`;
    await to!.until(() => to!.text().includes(expected), `'${text}' relayed to a member`, ms);
    return Date.now() - start;
  }

  async close(): Promise<void> {
    await closeClients([...this.members, ...this.attackers]);
  }
}

/**
 * Joins `count` chat members that never read, `batch` connections at a time,
 * pausing each as soon as it connects. The caller closes them.
 */
export async function joinSilently(port: number, count: number, batch = 50): Promise<RawClient[]> {
  const members: RawClient[] = [];
  try {
    while (members.length < count) {
      const size = Math.min(batch, count - members.length);
      const opened = await Promise.allSettled(
        Array.from({ length: size }, () => RawClient.open(port)),
      );
      for (const result of opened) {
        if (result.status === "fulfilled") {
          result.value.socket.pause();
          members.push(result.value);
        }
      }
      const failed = opened.find((result) => result.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
  } catch (error) {
    await closeClients(members);
    throw error;
  }
  return members;
}

/**
 * Waits until two readings `everyMs` apart differ by less than `tolerance`
 * bytes (or `ms` pass) and returns the last reading: memory stops moving once
 * a fan-out has been written or queued.
 */
export async function memorySettled(
  pid: number,
  { everyMs = 500, tolerance = MIB, ms = 20_000 } = {},
): Promise<number> {
  const deadline = Date.now() + ms;
  let last = memoryOf(pid);
  for (;;) {
    await sleep(everyMs);
    const now = memoryOf(pid);
    if (Math.abs(now - last) < tolerance || Date.now() > deadline) return now;
    last = now;
  }
}
