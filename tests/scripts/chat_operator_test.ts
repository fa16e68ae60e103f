// What the chat server's own operator types, and how clients of a dual-stack
// server are shown, through the real server.ts on the runtime running the tests.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatAddress } from "../../src/address/address.ts";
import { connect, type Connection } from "../../src/tcp/tcp_client.ts";
import { closeAll } from "../helpers/connections.ts";
import { startServer } from "../helpers/scripts.ts";

const REPLY_MS = 10_000;
// bun test gives a test 5 s by default; these wait on real subprocesses on a loaded machine.
const PATIENT = { timeout: 60_000 };

async function nextLine(connection: Connection): Promise<string> {
  const message = await connection.receive(REPLY_MS);
  assert.ok(message, "the server closed or said nothing");
  return message.text;
}

describe("formatAddress", () => {
  test("formatAddress shows an IPv4-mapped IPv6 address as the IPv4 address users typed", () => {
    assert.equal(formatAddress({ hostname: "::ffff:10.0.0.2", port: 5000 }), "10.0.0.2:5000");
    assert.equal(formatAddress({ hostname: "::FFFF:127.0.0.1", port: 1 }), "127.0.0.1:1");
    assert.equal(formatAddress({ hostname: "::1", port: 9000 }), "[::1]:9000");
    assert.equal(formatAddress({ hostname: "::ffff:a00:2", port: 9 }), "[::ffff:a00:2]:9");
  });
});

describe("server.ts chat operator", () => {
  test(
    "server.ts chat: the operator's /nick is refused on the server's own screen, text and //text go to everyone",
    PATIENT,
    async () => {
      const { server, port } = await startServer("server.ts", ["--port", "0", "--mode", "chat"]);
      let member: Connection | undefined;
      try {
        member = await connect({ port });
        assert.match(await nextLine(member), /^\* welcome, you are guest-\d+/);
        server.child.stdin!.write("/nick boss\n//nick is how you rename\nhello class\n");
        // Lines arrive in the order typed: the first a member sees is the //text one.
        assert.equal(await nextLine(member), "<server> /nick is how you rename");
        assert.equal(await nextLine(member), "<server> hello class");
        await server.waitFor(/\* not sent: \/nick is a client command/);
        assert.doesNotMatch(server.stdout, /<server> \/nick boss/);
      } finally {
        await closeAll(member);
        await server.kill();
      }
    },
  );

  test(
    "server.ts --host :: chat shows an IPv4 client as 127.0.0.1, not as ::ffff:127.0.0.1",
    PATIENT,
    async () => {
      const { server, port } = await startServer("server.ts", [
        "--host",
        "::",
        "--no-announce",
        "--port",
        "0",
        "--mode",
        "chat",
      ]);
      let first: Connection | undefined;
      let second: Connection | undefined;
      try {
        first = await connect({ host: "127.0.0.1", port });
        await nextLine(first);
        second = await connect({ host: "127.0.0.1", port });
        const joined = await nextLine(first);
        assert.equal(
          joined.replace(/^\* guest-\d+ joined from /, ""),
          `127.0.0.1:${second.localAddress.port}`,
        );
        second.send("/who");
        assert.doesNotMatch(await nextLine(second), /ffff/);
      } finally {
        await closeAll(first, second);
        await server.kill();
      }
    },
  );
});
