// An echo's usual chunk may go back from inside the adapter, past the served
// client (EchoShortcut). What it skips must not change what the echo does:
// order, counting, backpressure, and the wait for a reader elsewhere.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Client, connect, echo, serve } from "../../mod.ts";
import { runtime } from "../../src/net/runtime.ts";
import type { EchoShortcut } from "../../src/net/types.ts";
import { acceptedPair, connectedPair, Recorder, within } from "../helpers/net_fixtures.ts";

const utf8 = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = new TextDecoder();

/** Lines end in LF; a chunk is whole when its last byte is one. */
const lines = {
  wholeFrames(chunk: Uint8Array): number {
    if (chunk[chunk.length - 1] !== 0x0a) return 0;
    return chunk.filter((byte) => byte === 0x0a).length;
  },
};

describe(`echo shortcut (${runtime.name})`, () => {
  test("a connection given an echo shortcut sends whole frames back itself and hands the rest to data", async () => {
    const pair = await connectedPair();
    try {
      assert.ok(pair.server.setEchoShortcut, `${runtime.name}'s connections take an echo shortcut`);
      const counters = { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0 };
      const congestion = { congested: false };
      const shortcut: EchoShortcut = { frames: lines, counters, congestion };
      pair.server.setEchoShortcut(shortcut);

      pair.client.write(utf8.encode("a\nb\n"));
      await pair.clientEvents.receivedAtLeast(4);
      assert.equal(text.decode(pair.clientEvents.bytes()), "a\nb\n");
      assert.deepEqual(counters, { bytesIn: 4, bytesOut: 4, messagesIn: 2, messagesOut: 2 });
      assert.equal(pair.serverEvents.received, 0, "data() was not called for whole frames");

      // Not whole: the owner decides.
      pair.client.write(utf8.encode("c"));
      await pair.serverEvents.receivedAtLeast(1);
      // While a reader elsewhere is behind, whole frames go to the owner too.
      congestion.congested = true;
      pair.client.write(utf8.encode("d\n"));
      await pair.serverEvents.receivedAtLeast(3);
      congestion.congested = false;
      // And once the owner takes the shortcut back.
      pair.server.setEchoShortcut(undefined);
      pair.client.write(utf8.encode("e\n"));
      await pair.serverEvents.receivedAtLeast(5);
      assert.equal(text.decode(pair.serverEvents.bytes()), "cd\ne\n");
      assert.equal(pair.clientEvents.received, 4, "nothing more was echoed");
      assert.equal(counters.messagesIn, 2);
    } finally {
      await pair.close();
    }
  });

  test("an echo whose socket takes only part of a chunk sends the rest before what follows", async () => {
    const pair = await acceptedPair();
    const { client, server } = pair;
    // The client reads nothing until all is sent: the server's socket fills,
    // its writes come back short, and the rest must wait in its queue.
    const clientEvents = new Recorder();
    let resume!: () => void;
    clientEvents.pause = new Promise((resolve) => (resume = resolve));
    client.start(clientEvents);
    let toOwner = 0;
    // The owner echoes what the shortcut hands it, through the queue.
    server.start({
      data: (chunk) => {
        toOwner += chunk.length;
        server.write(chunk);
      },
      end: () => {},
      close: () => {},
    });
    try {
      assert.ok(server.setEchoShortcut, `${runtime.name}'s connections take an echo shortcut`);
      const counters = { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0 };
      // Every chunk passes for whole frames, so the shortcut takes each one it may.
      const frames = { wholeFrames: () => 1 };
      server.setEchoShortcut({ frames, counters, congestion: { congested: false } });
      const line = (i: number) => `${String(i).padStart(7, "0")} ${"z".repeat(991)}\n`;
      const LINES = 16 * 1024;
      for (let i = 0; i < LINES; i++) client.write(utf8.encode(line(i)));
      // Bun's socket takes part of a write and the rest is queued; Deno's write
      // stays pending, and reading waits for it.
      const giveUp = Date.now() + 10_000;
      while (server.bufferedBytes === 0 && Date.now() < giveUp) await sleep(10);
      assert.ok(server.bufferedBytes > 0, "some of the echo waits in the server's queue");
      clientEvents.pause = undefined;
      resume();
      const total = LINES * 1000;
      await clientEvents.receivedAtLeast(total, 30_000);
      const echoed = text.decode(clientEvents.bytes()).split("\n");
      assert.equal(echoed.length, LINES + 1);
      const outOfPlace = echoed.slice(0, LINES).findIndex((got, i) => got + "\n" !== line(i));
      assert.equal(outOfPlace, -1, `line ${outOfPlace} came back out of place`);
      // Bun's socket took part of a chunk, and the chunks after it went to the
      // owner, behind the rest. Deno reads again only once a write is done, so
      // its shortcut takes every chunk.
      assert.equal(toOwner > 0, runtime.name === "bun", `the owner was handed ${toOwner} bytes`);
      assert.equal(counters.bytesOut + toOwner, total);
    } finally {
      await pair.close(clientEvents.closed);
    }
  });

  test("while a reader elsewhere is behind, an echo client's next chunk waits, as any client's does", async () => {
    const errors: string[] = [];
    const served: Client[] = [];
    const server = await serve({
      port: 0,
      maxQueuedBytes: 32 * 1024 * 1024,
      readerStallMs: 1000,
      onConnect: (client) => served.push(client),
      onError: (error) => errors.push(error.message),
    }, echo);
    const stuck = await runtime.connectTcp(server.address);
    const stuckEvents = new Recorder();
    stuckEvents.pause = new Promise(() => {});
    stuck.start(stuckEvents);
    const talker = await connect({ port: server.address.port });
    try {
      const giveUp = Date.now() + 5000;
      while (served.length < 2 && Date.now() < giveUp) await sleep(10);
      // More than the loopback buffers hold, sent to a client that reads nothing.
      const big = "s".repeat(60_000);
      for (let i = 0; i < 200; i++) served[0]!.send(big);
      talker.send("one");
      assert.equal((await talker.receive(5000))?.text, "one");
      talker.send("two");
      assert.equal((await talker.receive(10_000))?.text, "two");
      assert.ok(
        errors.some((e) => e.includes("not reading")),
        `"two" came back before the stuck reader was dropped: ${errors.join("; ")}`,
      );
    } finally {
      stuck.close();
      talker.close();
      await within(server.close(), 10_000, "server close");
    }
  });
  test("a byte service wins over the built-in echo: whole lines are counted and dropped, not sent back", async () => {
    let received = 0;
    const service = { received: (_client: Client, count: number) => void (received += count) };
    const server = await serve({ port: 0, bytes: service }, echo);
    const raw = await runtime.connectTcp(server.address);
    const events = new Recorder();
    raw.start(events);
    try {
      raw.write(utf8.encode("one\ntwo\n"));
      const giveUp = Date.now() + 5000;
      while (received < 8 && Date.now() < giveUp) await sleep(10);
      assert.equal(received, 8);
      // Our FIN: the server closes after it, with nothing to send back.
      await raw.closeWrite();
      await within(events.ended, 5000, "the server's FIN");
      assert.equal(events.received, 0);
    } finally {
      raw.close();
      await within(server.close(), 10_000, "server close");
    }
  });
});
