import type { DatagramFault, TraceSink } from "../message/mod.ts";
import type { SocketAddress } from "../net/mod.ts";
import { DueQueue } from "./due_queue.ts";
import type { FaultSettings } from "./fault_settings.ts";
import { HeldBytes } from "./held_bytes.ts";
import { type SeededRandom, seededRandom } from "./seeded_random.ts";
import type { DatagramFaults } from "./udp_endpoint.ts";

/** What the faults do to one datagram this side sends. */
export interface SendDecision {
  /** Never sent. */
  readonly drop: boolean;
  /** Sent twice, the copy right after the original. */
  readonly dup: boolean;
  /** Held back until the next datagram has gone (see {@linkcode UdpFaults}). */
  readonly hold: boolean;
  /** How long it waits before it goes (0: at once). */
  readonly delayMs: number;
}

// The receiving side draws from its own stream, so when datagrams arrive
// (which timing decides) cannot change what happens to those sent.
const RECEIVE_STREAM = 0x9e3779b9;

/**
 * The random decisions behind the faults, and nothing else: the same seed and
 * settings give the same decisions on every runtime. Each datagram sent draws
 * four numbers (drop, dup, reorder, jitter) whatever the settings, so raising
 * `--dup` does not change which datagrams `--drop` drops; each datagram
 * received draws one, from a second stream of the same seed.
 */
export class FaultDecider {
  /** The seed the decisions come from. */
  readonly seed: number;
  readonly #settings: FaultSettings;
  readonly #send: SeededRandom;
  readonly #receive: SeededRandom;

  constructor(settings: FaultSettings) {
    this.#settings = settings;
    this.#send = seededRandom(settings.seed);
    this.seed = this.#send.seed;
    this.#receive = seededRandom((this.seed ^ RECEIVE_STREAM) >>> 0);
  }

  /** The decision for the next datagram sent. */
  nextSend(): SendDecision {
    const { dropPercent, dupPercent, reorderPercent, delayMs, jitterMs } = this.#settings;
    const drop = this.#send.next() * 100 < dropPercent;
    const dup = this.#send.next() * 100 < dupPercent;
    const hold = this.#send.next() * 100 < reorderPercent;
    const jitter = (this.#send.next() * 2 - 1) * jitterMs;
    return { drop, dup, hold, delayMs: Math.max(0, delayMs + jitter) };
  }

  /** Whether the next datagram received is dropped. */
  nextReceiveDrop(): boolean {
    return this.#receive.next() * 100 < this.#settings.dropPercent;
  }
}

/** What the faults did, counted. */
export interface FaultStats {
  /** Datagrams this side asked to send. */
  toSend: number;
  /** Of those, never sent (`--drop`). */
  dropped: number;
  /** Sent twice (`--dup`). */
  duplicated: number;
  /** Waited before going (`--delay`). */
  delayed: number;
  /** Held back (`--reorder`). */
  held: number;
  /** Held ones that went after a later datagram: what the receiver sees reordered. */
  reordered: number;
  /** Dropped because too many were already delayed or held back. */
  overflow: number;
  /** Still delayed or held back when the socket closed, so never sent. */
  unsent: number;
  /** Datagrams put on the wire, copies included. */
  transmitted: number;
  /** Datagrams received. */
  received: number;
  /** Of those, dropped on arrival (`--drop`). */
  droppedOnReceive: number;
}

/**
 * Limits on what the faults keep waiting; the excess is dropped and counted
 * (`overflow`). The bytes are held once, in a ring of `maxHeldBytes` that
 * fills as it is used, so its pages stay the process's once touched. Under a
 * flood the process grows by more than that while the runtime's collector
 * catches up: `udp.ts --help` promises that with the defaults it settles at
 * most 48 MiB (3 times 16 MiB) above the same flood without faults, with
 * brief peaks up to twice that, however long the flood lasts. Measured:
 * settled 23-31 MiB above on both runtimes; Bun 1.4 peaked 36-57 MiB above
 * (it paces its collector by what is live, so any 16 MiB kept alive through
 * a flood costs it 20-35 MiB more).
 */
export interface FaultLimits {
  /** Most datagrams delayed or held back at once. @default {10000} */
  maxHeld?: number;
  /** Most bytes delayed or held back at once. @default {16 MiB} */
  maxHeldBytes?: number;
}

const DEFAULT_MAX_HELD = 10_000;
const DEFAULT_MAX_HELD_BYTES = 16 * 1024 * 1024;
// Timers may fire a little before performance.now() reaches the time asked for.
const TIMER_SLACK_MS = 1;
// Addresses remembered so that thousands of datagrams waiting for the same
// peer share one object instead of keeping one each; past this, each keeps its own.
const MAX_SHARED_ADDRESSES = 4096;

/**
 * The fault layer of `udp.ts`: drops, delays, duplicates and reorders what
 * one side sends, and drops what it receives, on purpose, as
 * {@linkcode FaultDecider} decides. A datagram sent goes through, in order:
 * drop; delay (each datagram on its own timer, so a delay never holds up
 * the others, and jitter larger than the gap between datagrams reorders them,
 * as `tc netem` does); hold (a held datagram goes right after the next
 * datagram that is not held, several held ones in the order they were held;
 * one that nothing follows waits for {@linkcode finish} and then goes in
 * order); and duplication at the last step, the copy right after the
 * original. Each fault is traced as a `datagram-fault` event. Give it to
 * `serveUdp` or `bindUdp` as `faults`; `stats` counts what it did.
 * @example
 * ```ts
 * import { bindUdp, serveUdp, UdpFaults } from "../../mod.ts";
 * const none = { dropPercent: 0, delayMs: 0, jitterMs: 0, dupPercent: 0, reorderPercent: 0 };
 * const faults = new UdpFaults({ ...none, dropPercent: 100, seed: 1 });
 * const server = await serveUdp({ host: "127.0.0.1", faults }, (message) => message.bytes);
 * const client = await bindUdp({ host: "127.0.0.1" });
 * client.send("lost on the way in", server.localAddress);
 * const answered = await client.receive(300).then(() => true, () => false); // TIMED_OUT
 * client.close();
 * await server.close();
 * if (answered || faults.stats.droppedOnReceive !== 1) throw new Error(JSON.stringify(faults.stats));
 * ```
 */
export class UdpFaults implements DatagramFaults {
  /** The counts so far. */
  readonly stats: FaultStats = {
    toSend: 0,
    dropped: 0,
    duplicated: 0,
    delayed: 0,
    held: 0,
    reordered: 0,
    overflow: 0,
    unsent: 0,
    transmitted: 0,
    received: 0,
    droppedOnReceive: 0,
  };
  /** What was asked for: the faults and the seed as given. */
  readonly settings: FaultSettings;
  readonly #decider: FaultDecider;
  readonly #trace: TraceSink | undefined;
  readonly #maxHeld: number;
  // A datagram that waits is an entry of #kept, which holds its bytes; the
  // arrays below, indexed by entry, hold the rest: no object per datagram
  // (see HeldBytes for why).
  readonly #kept: HeldBytes;
  readonly #numberOf: Float64Array;
  readonly #dupOf: Uint8Array;
  readonly #holdOf: Uint8Array;
  readonly #toOf: (SocketAddress | undefined)[];
  readonly #addresses = new Map<string, Map<number, SocketAddress>>();
  #sharedAddresses = 0;
  readonly #delayed = new DueQueue();
  #heldBack: number[] = [];
  #local: SocketAddress = { hostname: "0.0.0.0", port: 0 };
  #transmit: (data: Uint8Array, to: SocketAddress) => void = () => {};
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = Infinity;
  #idle: (() => void)[] = [];
  #closed = false;

  /**
   * Builds the faults `settings` ask for.
   * @param settings What to inject; `seed` undefined picks one (see `seed`).
   * @param trace Sees each fault as a `datagram-fault` event.
   * @param limits How much may wait at once (delayed or held back).
   */
  constructor(settings: FaultSettings, trace?: TraceSink, limits: FaultLimits = {}) {
    this.settings = settings;
    this.#decider = new FaultDecider(settings);
    this.#trace = trace;
    this.#maxHeld = limits.maxHeld ?? DEFAULT_MAX_HELD;
    // Twice the entries: freed ones wait behind a long delay before their room is reused.
    const entries = 2 * this.#maxHeld;
    this.#kept = new HeldBytes(limits.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES, entries);
    this.#numberOf = new Float64Array(entries);
    this.#dupOf = new Uint8Array(entries);
    this.#holdOf = new Uint8Array(entries);
    this.#toOf = new Array(entries).fill(undefined);
  }

  /** The seed in use: give it as `--seed` to repeat the run. */
  get seed(): number {
    return this.#decider.seed;
  }

  /** Datagrams delayed or held back now. */
  get waiting(): number {
    return this.#delayed.size + this.#heldBack.length;
  }

  start(local: SocketAddress, transmit: (data: Uint8Array, to: SocketAddress) => void): void {
    this.#local = local;
    this.#transmit = transmit;
  }

  outgoing(data: Uint8Array, to: SocketAddress): void {
    if (this.#closed) return;
    const datagram = ++this.stats.toSend;
    const decision = this.#decider.nextSend();
    if (decision.drop) {
      this.stats.dropped++;
      this.#note("dropped", "out", datagram, data.length, to);
      return;
    }
    if (decision.delayMs === 0 && !decision.hold) {
      this.#send(data, to, datagram, decision.dup);
      this.#releaseHeld(true);
      return;
    }
    const entry = this.#keep(data, to, datagram, decision);
    if (entry < 0) return;
    if (decision.delayMs > 0) {
      this.stats.delayed++;
      this.#note("delayed", "out", datagram, data.length, to, decision.delayMs);
      this.#delayed.add(performance.now() + decision.delayMs, entry);
      this.#arm();
      return;
    }
    this.#reorderStage(entry);
  }

  incoming(data: Uint8Array, from: SocketAddress): boolean {
    const datagram = ++this.stats.received;
    if (!this.#decider.nextReceiveDrop()) return true;
    this.stats.droppedOnReceive++;
    this.#note("dropped", "in", datagram, data.length, from);
    return false;
  }

  /**
   * Nothing more will be sent: resolves once every delayed datagram has gone
   * and those held back (which no later datagram will pass now) have followed.
   */
  finish(): Promise<void> {
    if (this.#closed || this.#delayed.size === 0) {
      this.#releaseHeld(false);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const entry of [...this.#delayed.clear(), ...this.#heldBack]) {
      this.stats.unsent++;
      this.#noteEntry("unsent", entry);
      this.#toOf[entry] = undefined;
    }
    this.#heldBack = [];
    this.#kept.clear();
    this.#addresses.clear();
    this.#sharedAddresses = 0;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  // The datagram's entry, its bytes copied in to wait; -1, counted and
  // traced, when too many already wait.
  #keep(data: Uint8Array, to: SocketAddress, datagram: number, decision: SendDecision): number {
    const entry = this.waiting < this.#maxHeld ? this.#kept.hold(data) : -1;
    if (entry < 0) {
      this.stats.overflow++;
      this.#note("overflow", "out", datagram, data.length, to);
      return -1;
    }
    this.#numberOf[entry] = datagram;
    this.#dupOf[entry] = decision.dup ? 1 : 0;
    this.#holdOf[entry] = decision.hold ? 1 : 0;
    this.#toOf[entry] = this.#shared(to);
    return entry;
  }

  // One object per peer for all its waiting datagrams, instead of the one each came with.
  #shared(to: SocketAddress): SocketAddress {
    let ports = this.#addresses.get(to.hostname);
    const known = ports?.get(to.port);
    if (known !== undefined) return known;
    if (this.#sharedAddresses >= MAX_SHARED_ADDRESSES) {
      // Full, of a scan's or spoofed sources, say: start afresh once none of them waits.
      if (this.waiting > 0) return to;
      this.#addresses.clear();
      this.#sharedAddresses = 0;
      ports = undefined;
    }
    if (ports === undefined) {
      ports = new Map();
      this.#addresses.set(to.hostname, ports);
    }
    const address = { hostname: to.hostname, port: to.port };
    ports.set(to.port, address);
    this.#sharedAddresses++;
    return address;
  }

  #reorderStage(entry: number): void {
    if (this.#holdOf[entry] === 1) {
      this.stats.held++;
      this.#heldBack.push(entry);
      this.#noteEntry("held", entry);
      return;
    }
    this.#sendEntry(entry);
    this.#releaseHeld(true);
  }

  #releaseHeld(overtaken: boolean): void {
    const held = this.#heldBack;
    if (held.length === 0) return;
    this.#heldBack = [];
    for (const entry of held) {
      if (overtaken) this.stats.reordered++;
      this.#sendEntry(entry);
    }
  }

  // A datagram that waited leaves with a copy of its own, as the socket may
  // keep it a while, and its room is free again.
  #sendEntry(entry: number): void {
    const data = this.#kept.copyOut(entry);
    const to = this.#toOf[entry]!;
    const datagram = this.#numberOf[entry]!;
    const dup = this.#dupOf[entry] === 1;
    this.#toOf[entry] = undefined;
    this.#kept.free(entry);
    this.#send(data, to, datagram, dup);
  }

  #send(data: Uint8Array, to: SocketAddress, datagram: number, dup: boolean): void {
    this.stats.transmitted++;
    this.#transmit(data, to);
    if (!dup) return;
    this.stats.duplicated++;
    this.stats.transmitted++;
    this.#note("duplicated", "out", datagram, data.length, to);
    this.#transmit(data, to);
  }

  /**
   * Whether an echo server still owes replies: fewer datagrams came in than
   * went out (copies included, those dropped on arrival counted as come).
   * Waiting on this too, and not only on every probe answered, lets the
   * copies of the last replies arrive.
   */
  get echoesOwed(): boolean {
    return this.stats.received < this.stats.transmitted;
  }

  #arm(): void {
    const due = this.#delayed.nextDue;
    if (due === undefined || due >= this.#timerDue) return;
    clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, due - performance.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    const now = performance.now() + TIMER_SLACK_MS;
    for (let entry = this.#delayed.takeDue(now); entry >= 0; entry = this.#delayed.takeDue(now)) {
      this.#reorderStage(entry);
      if (this.#closed) return;
    }
    this.#arm();
    if (this.#delayed.size === 0 && this.#idle.length > 0) {
      this.#releaseHeld(false);
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  #noteEntry(fault: DatagramFault, entry: number): void {
    if (this.#trace === undefined) return;
    this.#note(
      fault,
      "out",
      this.#numberOf[entry]!,
      this.#kept.lengthOf(entry),
      this.#toOf[entry]!,
    );
  }

  #note(
    fault: DatagramFault,
    direction: "in" | "out",
    datagram: number,
    bytes: number,
    remote: SocketAddress,
    delayMs?: number,
  ): void {
    this.#trace?.({ type: "datagram-fault", fault, direction, datagram, bytes, delayMs }, {
      protocol: "udp",
      local: this.#local,
      remote,
    });
  }
}
