import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  connect,
  type Connection,
  echo as builtInEcho,
  parseCidr,
  serve,
  type TraceEvent,
} from "../../mod.ts";
import { delay as sleep } from "../../src/async/delay.ts";
import { createMode } from "../../src/modes/mod.ts";
import { runtime } from "../../src/net/runtime.ts";
import { closeAll } from "../helpers/connections.ts";
import { RawClient } from "../helpers/fault_peers.ts";
import { Recorder, within } from "../helpers/net_fixtures.ts";

const echo = (message: { text: string }) => message.text;

describe("serve maxConnections", () => {
  test("serve tells a client past maxConnections the server is full, and the others go on", async () => {
    const server = await serve({ port: 0, maxConnections: 2 }, echo);
    const port = server.address.port;
    const first = await connect({ port });
    const second = await connect({ port });
    try {
      first.send("one");
      assert.equal((await first.receive(5000))?.text, "one");
      second.send("two");
      assert.equal((await second.receive(5000))?.text, "two");
      const third = await connect({ port });
      try {
        const notice = await third.receive(5000);
        assert.match(notice?.text ?? "", /^error: server full \(2 clients connected\)/);
        assert.equal(await third.receive(5000), null);
      } finally {
        third.close();
      }
      assert.equal(server.stats.refused, 1);
      first.send("still here");
      assert.equal((await first.receive(5000))?.text, "still here");
    } finally {
      first.close();
      second.close();
      await server.close();
    }
  });
});

describe("serve idleTimeoutMs", () => {
  // The built-in echo sends a chunk of whole lines straight back, past the decoder: that path must mark activity too.
  for (
    const [name, handler] of [["a handler", echo], ["the built-in echo", builtInEcho]] as const
  ) {
    test(`serve with ${name} closes a silent client and a slow-drip client, with a notice, but not a busy one`, async () => {
      const errors: string[] = [];
      const server = await serve({
        port: 0,
        idleTimeoutMs: 600,
        onError: (error) => errors.push(error.message),
      }, handler);
      const port = server.address.port;
      const silent = await connect({ port });
      const busy = await connect({ port });
      // A line that never ends must not count as activity.
      const dripping = await runtime.connectTcp({ hostname: "127.0.0.1", port });
      const dripRecorder = new Recorder();
      dripping.start(dripRecorder);
      try {
        const dripper = (async () => {
          for (let i = 0; i < 60 && dripRecorder.endCount === 0; i++) {
            dripping.write(new TextEncoder().encode("x"));
            await sleep(50);
          }
        })();
        let busyReplies = 0;
        for (let i = 0; i < 24; i++) {
          busy.send(`ping ${i}`);
          if ((await busy.receive(5000))?.text === `ping ${i}`) busyReplies++;
          await sleep(50);
        }
        assert.equal(busyReplies, 24);
        assert.match((await silent.receive(5000))?.text ?? "", /^error: idle for 0\.6 s/);
        assert.equal(await silent.receive(5000), null);
        await within(dripRecorder.ended, 5000, "the slow-drip client to be closed");
        await dripper;
        assert.match(new TextDecoder().decode(dripRecorder.bytes()), /^error: idle for 0\.6 s/);
        assert.ok(errors.filter((e) => e.startsWith("idle for")).length >= 2, errors.join("; "));
      } finally {
        silent.close();
        busy.close();
        dripping.close();
        await server.close();
      }
    });
  }
});

describe("serve allow and deny", () => {
  test("serve closes a denied peer at once and keeps serving allowed ones", async () => {
    const refused: string[] = [];
    const server = await serve({
      host: "::",
      port: 0,
      deny: [parseCidr("127.0.0.0/8")],
      onRefuse: (remote, reason) => refused.push(`${remote.hostname} ${reason}`),
    }, echo);
    const port = server.address.port;
    try {
      const denied = await connect({ port });
      try {
        assert.equal(await denied.receive(5000), null);
      } finally {
        denied.close();
      }
      assert.equal(refused.length, 1);
      assert.match(refused[0]!, /127\.0\.0\.1 not allowed/);
      const allowed = await connect({ host: "::1", port });
      try {
        allowed.send("over IPv6");
        assert.equal((await allowed.receive(5000))?.text, "over IPv6");
      } finally {
        allowed.close();
      }
    } finally {
      await server.close();
    }
  });

  test("serve with an allow list refuses everyone outside it", async () => {
    const server = await serve({ port: 0, allow: [parseCidr("10.0.0.0/8")] }, echo);
    try {
      const outsider = await connect({ port: server.address.port });
      try {
        assert.equal(await outsider.receive(5000), null);
      } finally {
        outsider.close();
      }
      assert.equal(server.stats.refused, 1);
      assert.equal(server.stats.connections, 0);
    } finally {
      await server.close();
    }
  });
});

describe("serve maxQueuedBytes", () => {
  test("Client.send drops a client that stops reading, and another client is unaffected", async () => {
    const errors: string[] = [];
    const big = "x".repeat(60_000);
    const server = await serve({
      port: 0,
      maxQueuedBytes: 256 * 1024,
      onError: (error) => errors.push(error.message),
    }, (message, client) => {
      if (message.text !== "flood") return message.text;
      for (let i = 0; i < 400; i++) client.send(big);
      return undefined;
    });
    const port = server.address.port;
    const stalled = await runtime.connectTcp({ hostname: "127.0.0.1", port });
    const recorder = new Recorder();
    recorder.pause = new Promise(() => {});
    stalled.start(recorder);
    const healthy = await connect({ port });
    try {
      stalled.write(new TextEncoder().encode("flood\n"));
      // A paused reader cannot see its own close, so watch the server's side.
      const giveUp = Date.now() + 10_000;
      while (server.clients.size > 1 && Date.now() < giveUp) await sleep(20);
      assert.equal(server.clients.size, 1);
      assert.ok(errors.some((e) => e.includes("not reading")), errors.join("; "));
      healthy.send("fine");
      assert.equal((await healthy.receive(5000))?.text, "fine");
    } finally {
      stalled.close();
      healthy.close();
      await server.close();
    }
  });
});

describe("serve trace", () => {
  test("serve traces connect, read, write, the client's FIN, ours, and close, in order", async () => {
    const events: TraceEvent[] = [];
    const server = await serve({ port: 0, trace: (event) => events.push(event) }, echo);
    const client = await connect({ port: server.address.port });
    try {
      client.send("hi");
      assert.equal((await client.receive(5000))?.text, "hi");
      await client.end();
      assert.equal(await client.receive(5000), null);
      await within(client.closed, 5000, "the connection to close");
    } finally {
      client.close();
      await server.close();
    }
    assert.deepEqual(events.map((e) => e.type), [
      "connected",
      "read",
      "wrote",
      "peer-fin",
      "fin-sent",
      "closed",
    ]);
    const read = events[1] as Extract<TraceEvent, { type: "read" }>;
    assert.equal(new TextDecoder().decode(read.data), "hi\n");
    assert.equal(read.messages, 1);
  });
});

describe("chat with a client that stops reading", () => {
  // Once a script-level test that waited out the 5 s default stall; the
  // server.ts process added nothing to what is tested but its log line.
  test("chat drops a client that stops reading; the others keep receiving everything", {
    timeout: 60_000,
  }, async () => {
    const REPLY_MS = 10_000;
    const TALKERS = 3;
    const MESSAGES = 3000;
    const ROUND = 100;
    const mode = createMode("chat", { maxFrameBytes: 65536, show: () => {} });
    const errors: string[] = [];
    const server = await serve({
      port: 0,
      readerStallMs: 1000,
      onConnect: (client) => mode.onConnect?.(client),
      onDisconnect: (client) => mode.onDisconnect?.(client),
      onError: (error) => errors.push(error.message),
    }, mode.handler);
    const port = server.address.port;
    const pad = "c".repeat(1000);
    const talkers: Connection[] = [];
    let stuck: RawClient | undefined;
    try {
      stuck = await RawClient.open(port);
      await stuck.until(() => stuck!.text().includes("\n"), "the welcome");
      const stuckName = stuck.text().match(/you are (guest-\d+)/)?.[1];
      assert.ok(stuckName, stuck.text());
      stuck.socket.pause();
      const names: string[] = [];
      for (let i = 0; i < TALKERS; i++) {
        const talker = await connect({ port });
        talkers.push(talker);
        const name = (await talker.receive(REPLY_MS))?.text.match(/you are (guest-\d+)/)?.[1];
        assert.ok(name);
        names.push(name);
      }
      // Each talker reads everything the others say, in order, while the stuck one reads nothing.
      const received = talkers.map(() => 0);
      const reading = talkers.map(async (talker, me) => {
        const next = names.map(() => 0);
        let left = false;
        const expected = MESSAGES * (TALKERS - 1);
        for (let got = 0; got < expected;) {
          const text: string | undefined = (await talker.receive(REPLY_MS))?.text;
          assert.ok(text !== undefined, `talker ${me} was closed after ${got} messages`);
          if (text === `* ${stuckName} left`) left = true;
          const match: RegExpMatchArray | null = text.match(/^<(guest-\d+)> (\d+) /);
          if (!match) continue;
          const from = names.indexOf(match[1]!);
          assert.notEqual(from, me);
          assert.equal(Number(match[2]), next[from], `talker ${me} from ${match[1]}`);
          next[from]!++;
          received[me] = ++got;
        }
        return left;
      });
      // Heavy but in rounds: a talker is never more than a round behind, so only the
      // stuck client can overflow its queue, and a talker that waits too long fails here.
      for (let round = 0; round * ROUND < MESSAGES; round++) {
        for (let i = round * ROUND; i < (round + 1) * ROUND; i++) {
          for (const talker of talkers) talker.send(`${i} ${pad}`);
        }
        const due = (round + 1) * ROUND * (TALKERS - 1);
        const deadline = Date.now() + REPLY_MS;
        while (received.some((count) => count < due)) {
          assert.ok(Date.now() < deadline, `round ${round}: talkers got ${received}`);
          await sleep(5);
        }
      }
      const heardLeave = await Promise.all(reading);
      // Dropped for taking nothing while the talkers waited for it (the
      // talkers are slowed to its pace first, so its queue never reaches 1 MiB).
      const deadline = Date.now() + REPLY_MS;
      while (errors.length === 0 && Date.now() < deadline) await sleep(20);
      assert.deepEqual(errors, [
        "client is not reading: nothing taken for 1 s while others wait; disconnected",
      ]);
      // Everyone else hears that the stuck one left.
      for (const [i, talker] of talkers.entries()) {
        while (!heardLeave[i]) {
          const text: string | undefined = (await talker.receive(REPLY_MS))?.text;
          assert.ok(text !== undefined, "a talker was closed");
          heardLeave[i] = text === `* ${stuckName} left`;
        }
      }
    } finally {
      await closeAll(...talkers);
      await stuck?.destroy();
      await server.close();
    }
  });
});
