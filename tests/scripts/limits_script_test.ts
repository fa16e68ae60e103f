// Issue 7's limits through the real scripts: server.ts --max-conns,
// --idle-timeout and --allow/--deny, and udp.ts server --allow/--deny, on the
// runtime running the tests. Chat's slow reader is the library's, tested in
// tests/unit/library_limits_test.ts with a short readerStallMs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { delay as sleep } from "../../src/async/delay.ts";
import { connect, type Connection } from "../../src/tcp/tcp_client.ts";
import { bindUdp } from "../../src/udp/udp_endpoint.ts";
import { closeAll, echoes, interrupted } from "../helpers/connections.ts";
import { RawClient } from "../helpers/fault_peers.ts";
import { startServer } from "../helpers/scripts.ts";

const REPLY_MS = 10_000;
// bun test gives a test 5 s by default; these wait on real subprocesses on a loaded machine.
const PATIENT = { timeout: 60_000 };

describe("server.ts limit flags", () => {
  test(
    "server.ts --max-conns 2 tells a third client the server is full; the first two go on",
    PATIENT,
    async () => {
      const { server, port } = await startServer("server.ts", ["--port", "0", "--max-conns", "2"]);
      let first: Connection | undefined;
      let second: Connection | undefined;
      let third: Connection | undefined;
      try {
        first = await connect({ port });
        second = await connect({ port });
        await echoes(first, "one");
        await echoes(second, "two");
        third = await connect({ port });
        assert.equal(
          (await third.receive(REPLY_MS))?.text,
          "error: server full (2 clients connected); try again later",
        );
        assert.equal(await third.receive(REPLY_MS), null);
        await echoes(first, "one again");
        await echoes(second, "two again");
        await server.waitFor(/refused 127\.0\.0\.1:\d+: server full \(2 clients\)/, {
          stream: "stderr",
        });
        // A place frees up when a client leaves.
        await closeAll(first);
        first = undefined;
        for (let attempt = 0;; attempt++) {
          const fourth = await connect({ port });
          fourth.send("four");
          const reply = (await fourth.receive(REPLY_MS))?.text;
          await closeAll(fourth);
          if (reply === "four") break;
          // The server may not have seen the first client leave yet.
          assert.ok(attempt < 20, `a freed place was never given out: ${reply}`);
          await sleep(100);
        }
        const { stderr } = await interrupted(server);
        assert.match(stderr, /connections? refused\n/);
      } finally {
        await closeAll(first, second, third);
        await server.kill();
      }
    },
  );

  test(
    "server.ts --idle-timeout 0.5 closes silent and slow-drip clients with a notice, not a busy one",
    PATIENT,
    async () => {
      const { server, port } = await startServer("server.ts", [
        "--port",
        "0",
        "--idle-timeout",
        "0.5",
      ]);
      let silent: Connection | undefined;
      let busy: Connection | undefined;
      let drip: RawClient | undefined;
      try {
        silent = await connect({ port });
        busy = await connect({ port });
        drip = await RawClient.open(port);
        const dripping = (async () => {
          // A line that never ends: bytes arrive, but no complete message.
          for (let i = 0; i < 40 && !drip!.isClosed && drip!.received === 0; i++) {
            drip!.write("x");
            await sleep(100);
          }
        })();
        // Busy for three times the timeout: every message is activity.
        for (let i = 0; i < 15; i++) {
          await echoes(busy, `busy ${i}`);
          await sleep(100);
        }
        const notice = /^error: idle for 0\.5 s without a complete message; closing$/;
        assert.match((await silent.receive(REPLY_MS))?.text ?? "", notice);
        assert.equal(await silent.receive(REPLY_MS), null);
        await drip.serverClosed();
        await dripping;
        assert.match(drip.text().split("\n")[0]!, notice);
        await echoes(busy, "still served");
      } finally {
        await closeAll(silent, busy);
        await drip?.destroy();
        await server.kill();
      }
    },
  );

  test(
    "server.ts --deny 127.0.0.1 closes that peer at once and logs it; 127.0.0.2 is served",
    PATIENT,
    async () => {
      const { server, port } = await startServer("server.ts", [
        "--port",
        "0",
        "--deny",
        "127.0.0.1",
      ]);
      let denied: RawClient | undefined;
      try {
        denied = await RawClient.open(port);
        denied.write("let me in\n");
        await denied.serverClosed();
        assert.equal(denied.received, 0);
        const local = denied.localPort;
        await server.waitFor(
          new RegExp(`refused 127\\.0\\.0\\.1:${local}: not allowed by --allow/--deny`),
          { stream: "stderr" },
        );
        // Another loopback address is not in the denied range.
        const fromOther = await RawClient.open(port, { localAddress: "127.0.0.2" });
        try {
          fromOther.write("from .2\n");
          await fromOther.until(() => fromOther.text() === "from .2\n", "the echo");
        } finally {
          await fromOther.destroy();
        }
        const { stderr } = await interrupted(server);
        assert.match(stderr, /1 connection refused\n/);
      } finally {
        await denied?.destroy();
        await server.kill();
      }
    },
  );

  test(
    "server.ts --host :: --allow ::1/128 refuses 127.0.0.1 and serves ::1",
    PATIENT,
    async () => {
      const { server, port } = await startServer("server.ts", [
        "--port",
        "0",
        "--host",
        "::",
        "--no-announce",
        "--allow",
        "::1/128",
      ]);
      let allowed: Connection | undefined;
      let outsider: RawClient | undefined;
      try {
        outsider = await RawClient.open(port);
        await outsider.serverClosed();
        assert.equal(outsider.received, 0);
        await server.waitFor(/refused [^\n]*127\.0\.0\.1[^\n]*: not allowed by --allow\/--deny/, {
          stream: "stderr",
        });
        allowed = await connect({ host: "::1", port });
        await echoes(allowed, "over IPv6");
      } finally {
        await outsider?.destroy();
        await closeAll(allowed);
        await server.kill();
      }
    },
  );
});

describe("udp.ts server --allow and --deny", () => {
  test(
    "udp.ts server --deny 127.0.0.2 does not answer that peer and counts it; others are answered",
    PATIENT,
    async () => {
      const { server, port } = await startServer("udp.ts", [
        "server",
        "--port",
        "0",
        "--deny",
        "127.0.0.2",
      ]);
      const denied = await bindUdp({ host: "127.0.0.2" });
      const allowed = await bindUdp({});
      try {
        denied.send("hello?", { hostname: "127.0.0.1", port });
        await assert.rejects(denied.receive(500), { code: "TIMED_OUT" });
        allowed.send("hello", { hostname: "127.0.0.1", port });
        assert.equal((await allowed.receive(REPLY_MS))?.message.text, "hello");
        const { stderr } = await interrupted(server);
        assert.match(stderr, /refused 127\.0\.0\.2:\d+: not allowed by --allow\/--deny/);
        assert.match(stderr, /1 from peers refused by --allow\/--deny \(not answered\)/);
      } finally {
        await Promise.all([denied.close(), allowed.close()]);
        await server.kill();
      }
    },
  );

  test("udp.ts server --host :: --allow ::1/128 answers ::1 only", PATIENT, async () => {
    const { server, port } = await startServer("udp.ts", [
      "server",
      "--port",
      "0",
      "--host",
      "::",
      "--no-announce",
      "--allow",
      "::1/128",
    ]);
    const v4 = await bindUdp({});
    const v6 = await bindUdp({ host: "::1" });
    try {
      v4.send("from v4", { hostname: "127.0.0.1", port });
      await assert.rejects(v4.receive(500), { code: "TIMED_OUT" });
      v6.send("from v6", { hostname: "::1", port });
      assert.equal((await v6.receive(REPLY_MS))?.message.text, "from v6");
      const { stderr } = await interrupted(server);
      assert.match(stderr, /1 from peers refused by --allow\/--deny/);
    } finally {
      await Promise.all([v4.close(), v6.close()]);
      await server.kill();
    }
  });
});
