// The fault cases bench/soak.ts tries against each runtime's server.ts and
// udp.ts server, counting which the server survives. Each case misbehaves,
// checks the server's reaction where there is one to check, and throws when
// the server did something wrong; the caller then checks a fresh client.
import { bindUdp } from "../../src/udp/udp_endpoint.ts";
import {
  lengthHeader,
  memoryOf,
  openFds,
  randomBytes,
  RawClient,
  type Target,
} from "./fault_peers.ts";
import {
  bigLine,
  closeClients,
  echoWhole,
  floodUntilStalled,
  joinSilently,
  memorySettled,
  MemoryWatch,
  msUntilServed,
  pasteIntoChat,
  resetDuringEcho,
  servedClient,
  sleep,
  WhoFlood,
} from "./hostile_peers.ts";

/** Which server a case runs against. */
export type CaseServer = "echo-line" | "echo-length" | "upper" | "chat" | "udp";

/**
 * Figures a case reports for bench/soak.ts to print, filled in as the case
 * goes so that they are there when it fails too.
 */
export interface CaseFigures {
  /** Lines pasted into a chat, and how many of them, in order, a reading member got. */
  sent?: number;
  delivered?: number;
  /** How long a new client was given to be served after the attack went quiet, and how long it took. */
  recovery?: { withinMs: number; ms?: number };
  /** Members who joined, and the server's peak growth divided among them. */
  members?: number;
  bytesPerMember?: number;
}

/** What a case is told besides the server's address. */
export interface CaseContext {
  /** The server's process id, for /proc readings; cases that need it skip those checks without it. */
  pid?: number;
  figures: CaseFigures;
}

/** One misbehaviour and what the server must do about it. */
export interface FaultCase {
  name: string;
  server: CaseServer;
  /**
   * server.ts flags for a fresh server of the case's own, so its peak memory
   * and descriptors are the case's alone; without them the case shares the
   * server of its kind with the other cases.
   */
  serverArgs?: readonly string[];
  run(target: Target, context?: CaseContext): Promise<void>;
}

/** The --max-frame (or --max-datagram) the case servers run with. */
export const CASE_MAX_FRAME = 4096;

const MIB = 1024 * 1024;
// Issue 12's attacks, scaled down from the issue where that still reproduces.
const ECHO_LINE_BYTES = 3 * MIB;
const RESET_CLIENTS = 20;
const RESET_RSS_SLACK_BYTES = 32 * MIB;
const WHO_MEMBERS = 30;
const WHO_ATTACKERS = 5;
const WHO_RSS_BOUND_BYTES = 64 * MIB;
const STORM_MEMBERS = 500;
// Per member at the peak; see JOIN_STORM_BYTES_PER_MEMBER in tests/scripts/fault_battery_hostile_test.ts.
const STORM_BYTES_PER_MEMBER = 128 * 1024;
const RECOVERY_MS = 10_000;

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

/** Opens a raw client, lets `body` misbehave with it, and always closes it. */
async function withRaw(port: number, body: (client: RawClient) => Promise<void>): Promise<void> {
  const client = await RawClient.open(port);
  try {
    await body(client);
  } finally {
    await client.destroy();
  }
}

/** The cases, in the order they are tried. */
export const FAULT_CASES: readonly FaultCase[] = [
  {
    name: "oversized line",
    server: "echo-line",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        client.write(`${"y".repeat(CASE_MAX_FRAME * 2)}\n`);
        await client.serverClosed();
        check(/^error: [^\n]*exceeds the limit/.test(client.text()), "no error line");
      }),
  },
  {
    name: "random bytes, line framing",
    server: "echo-line",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        client.write(randomBytes(256 * 1024, 99));
        client.socket.end();
        await client.serverClosed(30_000);
      }),
  },
  {
    name: "invalid UTF-8 and empty lines, echo",
    server: "echo-line",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        client.write(new Uint8Array([0xff, 0xfe, 0x0a, 0x0a, 0x0d, 0x0a]));
        await client.receivedAtLeast(5);
        check(client.received === 5, `got ${client.received} bytes back, not 5`);
      }),
  },
  {
    name: "CRLF and bare CR",
    server: "echo-line",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        client.write("a\r\nb\rc\n");
        await client.until(() => client.text() === "a\nb\rc\n", "two replies");
      }),
  },
  {
    name: "half a line, then a reset",
    server: "echo-line",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        client.write("half a li");
        await sleep(50);
        await client.reset();
      }),
  },
  {
    name: "client dies mid-stream",
    server: "echo-line",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        for (let i = 0; i < 2000; i++) client.write(`mid-stream ${i}\n`);
        await client.receivedAtLeast(1000);
        client.socket.destroy();
      }),
  },
  {
    name: "2000 connect/close cycles",
    server: "echo-line",
    async run({ port }) {
      let next = 0;
      const worker = async () => {
        while (next < 2000) {
          const i = next++;
          await withRaw(port, async (client) => {
            if (i % 3 === 0) {
              client.write("hi\n");
              await client.until(() => client.text() === "hi\n", `the reply in cycle ${i}`);
            } else if (i % 3 === 1) client.socket.end();
            else await client.reset();
          });
        }
      };
      await Promise.all(Array.from({ length: 20 }, worker));
    },
  },
  {
    name: "a client that never reads 48 MiB of echoes",
    server: "echo-line",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        client.socket.pause();
        const block = new TextEncoder().encode(`${"z".repeat(1023)}\n`.repeat(1024));
        for (let i = 0; i < 48; i++) client.write(block);
        await client.until(
          () => client.socket.bytesWritten > 4 * 1024 * 1024,
          "the server to read",
        );
        await sleep(500);
        check(client.socket.writableLength > 0, "the server buffered everything a non-reader sent");
      }),
  },
  {
    name: "length prefix claiming 4 GiB",
    server: "echo-length",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        client.write(lengthHeader(0xffffffff));
        await client.serverClosed();
        check(/error: [^\n]*exceeds the limit/.test(client.text()), "no error frame");
      }),
  },
  {
    name: "random bytes, length framing",
    server: "echo-length",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        client.write(randomBytes(64 * 1024, 7));
        await client.serverClosed();
      }),
  },
  {
    name: "empty frame",
    server: "echo-length",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        client.write(lengthHeader(0));
        await client.receivedAtLeast(4);
        check(client.received === 4, "no empty frame back");
      }),
  },
  {
    name: "half a frame, then a reset",
    server: "echo-length",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        client.write(lengthHeader(1000));
        client.write(randomBytes(10, 3));
        await sleep(50);
        await client.reset();
      }),
  },
  {
    name: "invalid UTF-8, upper",
    server: "upper",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        client.write(new Uint8Array([0xc3, 0x28, 0x0a]));
        await client.until(() => client.text().includes("\n"), "an answer");
        check(/^error: .*UTF-8/.test(client.text()), `got ${client.text()}`);
      }),
  },
  {
    name: "invalid UTF-8 and empty lines, chat",
    server: "chat",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        await client.until(() => client.text().includes("\n"), "the welcome");
        client.write(new Uint8Array([0xed, 0xa0, 0x80, 0x0a, 0x0a]));
        await client.until(() => /UTF-8/.test(client.text()), "an error line");
      }),
  },
  {
    name: "line one byte over the limit, ended by EOF",
    server: "echo-line",
    run: ({ port }) =>
      withRaw(port, async (client) => {
        // One over is what the decoder holds (room for a CR) until EOF decides.
        client.write("y".repeat(CASE_MAX_FRAME + 1));
        client.socket.end();
        await client.serverClosed();
        check(/^error: [^\n]*exceeds the limit[^\n]*\n$/.test(client.text()), "no error line");
      }),
  },
  {
    name: "refused clients over --max-frame 40",
    server: "echo-line",
    serverArgs: ["--max-conns", "1", "--max-frame", "40"],
    async run({ port }) {
      // The one place may still be taken by a client that has just left: retried until it is free.
      const held = await servedClient(port);
      try {
        for (let i = 0; i < 3; i++) {
          await withRaw(port, async (refused) => {
            await refused.serverClosed();
            const text = refused.text();
            check(
              /^error: server full[^\n]*\n$/.test(text),
              `refused client got ${JSON.stringify(text)}`,
            );
            check(text.length <= 41, `a refusal of ${text.length - 1} bytes, over --max-frame 40`);
          });
        }
      } finally {
        await held.destroy();
      }
    },
  },
  {
    name: "two flooders that stop reading lock --max-conns 2 out",
    server: "echo-line",
    serverArgs: ["--max-conns", "2", "--idle-timeout", "1"],
    async run({ port }, context) {
      // Both must hold a place: a probe that has just left may still hold one for a moment.
      const flooders: RawClient[] = [];
      try {
        for (let i = 0; i < 2; i++) flooders.push(await servedClient(port));
        await floodUntilStalled(flooders);
        const recovery: { withinMs: number; ms?: number } = { withinMs: RECOVERY_MS };
        if (context) context.figures.recovery = recovery;
        recovery.ms = await msUntilServed(port, RECOVERY_MS);
      } finally {
        await closeClients(flooders);
      }
    },
  },
  {
    name: "20,000-line paste into a chat with a reader",
    server: "chat",
    serverArgs: ["--mode", "chat"],
    async run({ port }, context) {
      const paste = await pasteIntoChat(port, { lines: 20_000 });
      if (context) Object.assign(context.figures, { sent: paste.sent, delivered: paste.delivered });
      check(paste.delivered === paste.sent && paste.inOrder, `${paste.delivered} lines delivered`);
      check(!paste.readerClosed && paste.heardLeave, "the reader was dropped");
    },
  },
  {
    name: "resets during paused 3 MiB echoes",
    server: "echo-line",
    serverArgs: ["--max-frame", `${4 * MIB}`],
    async run({ port }, context) {
      const line = bigLine(ECHO_LINE_BYTES);
      // The memory a runtime keeps after echoing this much honestly belongs to the baseline.
      await echoWhole(port, line, RESET_CLIENTS);
      const pid = context?.pid;
      const before = pid === undefined ? 0 : memoryOf(pid);
      const read = await resetDuringEcho(port, line, { clients: RESET_CLIENTS });
      check(read === RESET_CLIENTS, `only ${read} echoes started`);
      if (pid === undefined) return;
      const deadline = Date.now() + RECOVERY_MS;
      while (memoryOf(pid) > before + RESET_RSS_SLACK_BYTES && Date.now() < deadline) {
        await sleep(250);
      }
      const held = memoryOf(pid) - before;
      check(held <= RESET_RSS_SLACK_BYTES, `${(held / MIB).toFixed(1)} MiB still held`);
    },
  },
  {
    name: "members pipelining /who without reading",
    server: "chat",
    serverArgs: ["--mode", "chat"],
    async run({ port }, context) {
      const room = await WhoFlood.open(port, WHO_MEMBERS);
      const pid = context?.pid;
      const watch = pid === undefined ? undefined : new MemoryWatch(pid);
      try {
        const before = pid === undefined ? 0 : memoryOf(pid);
        await room.attack(WHO_ATTACKERS, 60_000);
        await sleep(1000);
        await room.relay("still served", 10_000);
        await sleep(2000);
        if (watch) {
          const growth = watch.stop() - before;
          check(growth < WHO_RSS_BOUND_BYTES, `memory grew by ${(growth / MIB).toFixed(1)} MiB`);
        }
      } finally {
        watch?.stop();
        await room.close();
      }
    },
  },
  {
    name: "join storm of 500 chat members who never read",
    server: "chat",
    serverArgs: ["--mode", "chat"],
    async run({ port }, context) {
      const pid = context?.pid;
      const before = pid === undefined ? 0 : memoryOf(pid);
      const fdsBefore = pid === undefined ? 0 : openFds(pid);
      const watch = pid === undefined ? undefined : new MemoryWatch(pid, 250);
      let members: RawClient[] = [];
      try {
        if (context) context.figures.members = STORM_MEMBERS;
        members = await joinSilently(port, STORM_MEMBERS);
        if (pid === undefined || !watch) return;
        const deadline = Date.now() + 20_000;
        // A few short of all: the baseline may still hold a warm-up client's descriptor.
        while (openFds(pid) < fdsBefore + STORM_MEMBERS - 8 && Date.now() < deadline) {
          await sleep(250);
        }
        await memorySettled(pid);
        const perMember = (watch.stop() - before) / STORM_MEMBERS;
        if (context) context.figures.bytesPerMember = perMember;
        check(
          perMember <= STORM_BYTES_PER_MEMBER,
          `${(perMember / 1024).toFixed(1)} KiB per member`,
        );
      } finally {
        watch?.stop();
        await closeClients(members);
      }
    },
  },
  {
    name: "oversized datagram",
    server: "udp",
    async run({ port }) {
      const socket = await bindUdp({});
      try {
        socket.send(randomBytes(CASE_MAX_FRAME + 1, 5), { hostname: "127.0.0.1", port });
        const reply = await socket.receive(500).catch(() => null);
        check(reply === null, "an oversized datagram was answered");
      } finally {
        await socket.close();
      }
    },
  },
  {
    name: "empty datagram",
    server: "udp",
    async run({ port }) {
      const socket = await bindUdp({});
      try {
        socket.send(new Uint8Array(0), { hostname: "127.0.0.1", port });
        check((await socket.receive(5000))?.message.size === 0, "no empty answer");
      } finally {
        await socket.close();
      }
    },
  },
  {
    name: "flood from 50 peers x 200 datagrams",
    server: "udp",
    async run({ port }) {
      const sockets = await Promise.all(Array.from({ length: 50 }, () => bindUdp({})));
      try {
        for (let round = 0; round < 200; round++) {
          for (const socket of sockets) {
            socket.send(randomBytes(round * 7 % 1500, round), { hostname: "127.0.0.1", port });
          }
          if (round % 20 === 19) await sleep(5);
        }
      } finally {
        // Leaving at once: most replies bounce back as ICMP port unreachable.
        await Promise.all(sockets.map((socket) => socket.close()));
      }
    },
  },
];
