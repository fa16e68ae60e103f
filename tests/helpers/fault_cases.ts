// The fault cases bench/soak.ts tries against each runtime's server.ts and
// udp.ts server, counting which the server survives. Each case misbehaves,
// checks the server's reaction where there is one to check, and throws when
// the server did something wrong; the caller then checks a fresh client.
import { bindUdp } from "../../src/udp_endpoint.ts";
import { lengthHeader, randomBytes, RawClient, type Target } from "./fault_peers.ts";

/** Which server a case runs against. */
export type CaseServer = "echo-line" | "echo-length" | "upper" | "chat" | "udp";

/** One misbehaviour and what the server must do about it. */
export interface FaultCase {
  name: string;
  server: CaseServer;
  run(target: Target): Promise<void>;
}

/** The --max-frame (or --max-datagram) the case servers run with. */
export const CASE_MAX_FRAME = 4096;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
