// IPv4-mapped --allow/--deny rules through the real scripts on a dual-stack
// (::) listener, where an IPv4 client arrives as ::ffff:a.b.c.d: the rule must
// mean the same host whichever way it is written.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { connect, type Connection } from "../../src/tcp/tcp_client.ts";
import { bindUdp } from "../../src/udp/udp_endpoint.ts";
import { closeAll, echoes, interrupted } from "../helpers/connections.ts";
import { RawClient } from "../helpers/fault_peers.ts";
import { startServer } from "../helpers/scripts.ts";

const REPLY_MS = 10_000;
// Long enough that an answer on loopback would have come; short, since the test waits it out.
const SILENCE_MS = 500;
// bun test gives a test 5 s by default; these wait on real subprocesses on a loaded machine.
const PATIENT = { timeout: 60_000 };

describe("server.ts IPv4-mapped --allow/--deny", () => {
  test(
    "server.ts --host :: --deny ::ffff:127.0.0.1 refuses a client of 127.0.0.1 and serves ::1",
    PATIENT,
    async () => {
      const { server, port } = await startServer("server.ts", [
        "--host",
        "::",
        "--no-announce",
        "--port",
        "0",
        "--deny",
        "::ffff:127.0.0.1",
      ]);
      let denied: RawClient | undefined;
      let other: Connection | undefined;
      try {
        denied = await RawClient.open(port, { host: "127.0.0.1" });
        denied.write("let me in\n");
        await denied.serverClosed();
        assert.equal(denied.received, 0, denied.text());
        await server.waitFor(/refused [^\n]*127\.0\.0\.1[^\n]*: not allowed by --allow\/--deny/, {
          stream: "stderr",
        });
        other = await connect({ host: "::1", port });
        await echoes(other, "over IPv6");
        await closeAll(other);
        other = undefined;
        const { stderr } = await interrupted(server);
        assert.match(stderr, /1 connection refused\n/);
      } finally {
        await denied?.destroy();
        await closeAll(other);
        await server.kill();
      }
    },
  );

  test(
    "server.ts --host :: --allow ::ffff:127.0.0.0/104 serves a client of 127.0.0.1",
    PATIENT,
    async () => {
      const { server, port } = await startServer("server.ts", [
        "--host",
        "::",
        "--no-announce",
        "--port",
        "0",
        "--allow",
        "::ffff:127.0.0.0/104",
      ]);
      let allowed: Connection | undefined;
      try {
        allowed = await connect({ host: "127.0.0.1", port });
        await echoes(allowed, "over IPv4");
      } finally {
        await closeAll(allowed);
        await server.kill();
      }
    },
  );
});

describe("udp.ts server IPv4-mapped --deny", () => {
  test(
    "udp.ts server --host :: --deny ::ffff:0:0/96 does not answer 127.0.0.1; ::1 is answered",
    PATIENT,
    async () => {
      const { server, port } = await startServer("udp.ts", [
        "server",
        "--host",
        "::",
        "--no-announce",
        "--port",
        "0",
        "--deny",
        "::ffff:0:0/96",
      ]);
      const v4 = await bindUdp({ host: "127.0.0.1" });
      const v6 = await bindUdp({ host: "::1" });
      try {
        v4.send("from v4", { hostname: "127.0.0.1", port });
        await assert.rejects(v4.receive(SILENCE_MS), { code: "TIMED_OUT" });
        v6.send("from v6", { hostname: "::1", port });
        assert.equal((await v6.receive(REPLY_MS))?.message.text, "from v6");
        const { stderr } = await interrupted(server);
        assert.match(stderr, /1 from peers refused by --allow\/--deny/);
      } finally {
        await Promise.all([v4.close(), v6.close()]);
        await server.kill();
      }
    },
  );
});
