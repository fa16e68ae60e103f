// Issue 7's fault battery over UDP, through the real `udp.ts server` on the
// runtime running the tests. After every case a fresh socket must still get
// a correct answer.
import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { bindUdp, type UdpEndpoint } from "../../src/udp/udp_endpoint.ts";
import { fdsSettle, memoryOf, openFds, randomBytes } from "../helpers/fault_peers.ts";
import { type RunningScript, startServer } from "../helpers/scripts.ts";

const MAX_DATAGRAM = 1024;
const FD_SLACK = 8;
const RSS_CEILING_BYTES = 64 * 1024 * 1024;
// bun test gives a test 5 s by default; these wait on real subprocesses on a loaded machine.
const PATIENT = { timeout: 60_000 };
const REPLY_MS = 5000;
// Long enough that a reply that was going to come has come, on a loaded machine.
const SILENCE_MS = 500;

describe("udp.ts server fault battery", () => {
  let server: RunningScript;
  let port: number;
  let baselineFds = 0;
  let baselineRss = 0;
  let probes = 0;
  const to = () => ({ hostname: "127.0.0.1", port });

  /** Sends `payload` from `socket` and returns the reply's bytes. */
  async function exchange(socket: UdpEndpoint, payload: Uint8Array | string): Promise<Uint8Array> {
    socket.send(payload, to());
    const reply = await socket.receive(REPLY_MS);
    assert.ok(reply, "socket closed before a reply");
    return reply.message.bytes;
  }

  /** The check after every case: a fresh socket is answered; descriptors and memory are bounded. */
  async function survives(): Promise<void> {
    assert.equal(server.child.exitCode, null, `server exited:\n${server.stderr}`);
    const fresh = await bindUdp({});
    try {
      const text = `fresh ${++probes}`;
      // Retried as any UDP client would: right after a flood one datagram may meet a full buffer.
      let answer: string | undefined;
      for (let attempt = 0; attempt < 5 && answer === undefined; attempt++) {
        fresh.send(text, to());
        answer = (await fresh.receive(2000).catch(() => null))?.message.text;
      }
      assert.equal(answer, text);
    } finally {
      await fresh.close();
    }
    await fdsSettle(server.child.pid!, baselineFds + FD_SLACK);
    const rss = memoryOf(server.child.pid!);
    assert.ok(rss < baselineRss + RSS_CEILING_BYTES, `RSS grew from ${baselineRss} to ${rss}`);
  }

  before(async () => {
    ({ server, port } = await startServer("udp.ts", [
      "server",
      "--port",
      "0",
      "--max-datagram",
      String(MAX_DATAGRAM),
    ]));
    // Warm up, so the baseline includes what the first datagram opens.
    const socket = await bindUdp({});
    try {
      await exchange(socket, "warm up");
    } finally {
      await socket.close();
    }
    baselineFds = openFds(server.child.pid!);
    baselineRss = memoryOf(server.child.pid!);
  });
  after(async () => await server?.kill());

  test(
    "udp.ts server does not answer an oversized datagram and answers one at the limit",
    PATIENT,
    async () => {
      const socket = await bindUdp({});
      try {
        socket.send(randomBytes(MAX_DATAGRAM + 1, 1), to());
        socket.send(randomBytes(8000, 2), to());
        await assert.rejects(socket.receive(SILENCE_MS), { code: "TIMED_OUT" });
        const atLimit = randomBytes(MAX_DATAGRAM, 3);
        assert.deepEqual(await exchange(socket, atLimit), atLimit);
      } finally {
        await socket.close();
      }
      await survives();
    },
  );

  test("udp.ts server answers an empty datagram with an empty one", PATIENT, async () => {
    const socket = await bindUdp({});
    try {
      assert.equal((await exchange(socket, new Uint8Array(0))).length, 0);
    } finally {
      await socket.close();
    }
    await survives();
  });

  test("udp.ts server echoes random bytes exactly", PATIENT, async () => {
    const socket = await bindUdp({});
    try {
      for (const seed of [11, 12, 13, 14]) {
        const noise = randomBytes(seed * 50, seed);
        assert.deepEqual(await exchange(socket, noise), noise);
      }
    } finally {
      await socket.close();
    }
    await survives();
  });

  test(
    "udp.ts server survives a flood from 50 peers, half of which vanish before their replies",
    PATIENT,
    async () => {
      const PEERS = 50;
      const EACH = 200;
      const sockets = await Promise.all(Array.from({ length: PEERS }, () => bindUdp({})));
      const open = new Set(sockets);
      try {
        const sent = sockets.map(() => new Set<string>());
        for (let round = 0; round < EACH; round++) {
          sockets.forEach((socket, peer) => {
            // Mostly small text, every tenth one oversized, every seventh one empty.
            const payload = round % 10 === 9
              ? randomBytes(MAX_DATAGRAM * 2, round)
              : round % 7 === 6
              ? ""
              : `peer ${peer} round ${round} ${"f".repeat(round % 300)}`;
            if (typeof payload === "string") sent[peer]!.add(payload);
            socket.send(payload, to());
          });
          // A breath now and then, so the flood is not only the kernel dropping datagrams.
          if (round % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5));
        }
        // Half the peers leave at once: their replies bounce back as ICMP port unreachable.
        await Promise.all(
          sockets.slice(0, PEERS / 2).map((socket) => {
            open.delete(socket);
            return socket.close();
          }),
        );
        // What arrives must be an echo of what that peer sent; UDP may drop some under a flood.
        const answered = await Promise.all(sockets.map(async (socket, i) => {
          let count = 0;
          while (open.has(socket)) {
            const reply = await socket.receive(SILENCE_MS).catch(() => null);
            if (reply === null) break;
            assert.ok(sent[i]!.has(reply.message.text), `peer ${i} got ${reply.message.text}`);
            count++;
          }
          return count;
        }));
        assert.ok(answered.some((count) => count > 0), "no peer got any answer");
      } finally {
        await Promise.all([...open].map((socket) => socket.close()));
      }
      await survives();
    },
  );

  test(
    "udp.ts server stops at SIGINT with exit 0 and a table that counts the oddities",
    PATIENT,
    async () => {
      await survives();
      process.kill(server.child.pid!, "SIGINT");
      const result = await server.exited;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /stopped: \d+ datagrams, \d+ bytes from \d+ peers; /);
      assert.match(result.stderr, /\d+ empty/);
      assert.match(result.stderr, /\d+ over --max-datagram \(not answered\)/);
    },
  );
});

describe("udp.ts server --mode upper fault battery", () => {
  test(
    "udp.ts server --mode upper answers a flood of non-UTF-8 datagrams with error datagrams and logs the kind once",
    PATIENT,
    async () => {
      const { server, port } = await startServer("udp.ts", [
        "server",
        "--port",
        "0",
        "-m",
        "upper",
      ]);
      const PEERS = 10;
      const EACH = 50;
      const sockets = await Promise.all(Array.from({ length: PEERS }, () => bindUdp({})));
      try {
        // 0xff never occurs in UTF-8, so none of these is text.
        const junk = (peer: number, round: number) => {
          const bytes = randomBytes(64, peer * EACH + round + 1);
          bytes[0] = 0xff;
          return bytes;
        };
        for (let round = 0; round < EACH; round++) {
          sockets.forEach((socket, peer) =>
            socket.send(junk(peer, round), { hostname: "127.0.0.1", port })
          );
          if (round % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const answered = await Promise.all(sockets.map(async (socket) => {
          let count = 0;
          for (let i = 0; i < EACH; i++) {
            const reply = await socket.receive(SILENCE_MS).catch(() => null);
            if (reply === null) break;
            assert.equal(reply.message.text, "error: message of 64 bytes is not valid UTF-8 text");
            count++;
          }
          return count;
        }));
        assert.ok(answered.some((count) => count > 0), "no peer got any answer");
        // Retried as any UDP client would: right after a flood one datagram may meet a full buffer.
        const fresh = await bindUdp({});
        let answer: string | undefined;
        try {
          for (let attempt = 0; attempt < 5 && answer === undefined; attempt++) {
            fresh.send("still fine", { hostname: "127.0.0.1", port });
            answer = (await fresh.receive(2000).catch(() => null))?.message.text;
          }
        } finally {
          await fresh.close();
        }
        assert.equal(answer, "STILL FINE");
        process.kill(server.child.pid!, "SIGINT");
        const result = await server.exited;
        assert.equal(result.code, 0, result.stderr);
        // Without -v each kind of oddity is shown once, then only counted.
        assert.equal(
          result.stderr.match(/not valid UTF-8 text; answered with an error/g)?.length,
          1,
        );
        assert.match(result.stderr, /; \d+ not UTF-8 text/);
      } finally {
        await Promise.all(sockets.map((socket) => socket.close()));
        await server.kill();
      }
    },
  );
});
