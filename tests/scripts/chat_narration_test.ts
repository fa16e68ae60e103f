// server.ts --mode chat -v: what a member's line causes on the other connections is
// narrated after the read of that line, as it happened, through the real server.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { connect, type Connection } from "../../src/tcp/tcp_client.ts";
import { closeAll } from "../helpers/connections.ts";
import { type RunningScript, startServer } from "../helpers/scripts.ts";

const REPLY_MS = 10_000;
// bun test gives a test 5 s by default; these wait on real subprocesses on a loaded machine.
const PATIENT = { timeout: 60_000 };
const STDERR = { stream: "stderr", timeoutMs: REPLY_MS } as const;

const escaped = (address: string) => address.replace(/\./g, "\\.");
const startNarratedChat = () => startServer("server.ts", ["--port", "0", "--mode", "chat", "-v"]);

async function nextLine(connection: Connection): Promise<string> {
  const message = await connection.receive(REPLY_MS);
  assert.ok(message, "the server closed or said nothing");
  return message.text;
}

/** A member of the chat and how the server's narration names its connection. */
async function join(port: number): Promise<{ connection: Connection; remote: string }> {
  const connection = await connect({ host: "127.0.0.1", port });
  assert.match(await nextLine(connection), /^\* welcome/);
  return { connection, remote: `127.0.0.1:${connection.localAddress.port}` };
}

/** Index of the first narrated stderr line about `remote` whose sentence matches `what`. */
function lineOf(server: RunningScript, remote: string, arrow: string, what: RegExp): number {
  const lines = server.stderr.split("\n");
  const index = lines.findIndex((line) =>
    line.includes(` ${arrow} ${remote}  `) && what.test(line.slice(line.indexOf(remote)))
  );
  assert.notEqual(index, -1, `no "${arrow} ${remote} ${what}" in:\n${server.stderr}`);
  return index;
}

describe("server.ts chat -v narration order", () => {
  test(
    "a member's line is narrated as read before it is narrated as relayed to the others",
    PATIENT,
    async () => {
      const { server, port } = await startNarratedChat();
      let a: Awaited<ReturnType<typeof join>> | undefined;
      let b: Awaited<ReturnType<typeof join>> | undefined;
      try {
        a = await join(port);
        b = await join(port);
        assert.match(await nextLine(a.connection), /joined/);
        a.connection.send("hello");
        assert.match(await nextLine(b.connection), /> hello$/);
        // "hello\n" is 6 bytes in; B's copy is "<guest-N> hello\n". The log may lag the sockets.
        await server.waitFor(new RegExp(`<- ${escaped(a.remote)}  read 6 bytes`), STDERR);
        await server.waitFor(new RegExp(`-> ${escaped(b.remote)}  wrote 1[5-9] bytes`), STDERR);
        const read = lineOf(server, a.remote, "<-", /read 6 bytes/);
        const relayed = lineOf(server, b.remote, "->", /wrote 1[5-9] bytes/);
        assert.ok(
          read < relayed,
          `read at line ${read}, relay at line ${relayed}:\n${server.stderr}`,
        );
      } finally {
        await closeAll(a?.connection, b?.connection);
        await server.kill();
      }
    },
  );

  test("/quit is narrated as read before the goodbye and the FIN it causes", PATIENT, async () => {
    const { server, port } = await startNarratedChat();
    let a: Awaited<ReturnType<typeof join>> | undefined;
    try {
      a = await join(port);
      a.connection.send("/quit");
      assert.equal(
        await nextLine(a.connection),
        "* bye (connection closed; nc and ncat: press Ctrl-D to exit)",
      );
      await server.waitFor(new RegExp(`-> ${escaped(a.remote)}  half-closed our side`), STDERR);
      const read = lineOf(server, a.remote, "<-", /read 6 bytes/);
      const bye = lineOf(server, a.remote, "->", /wrote 61 bytes/);
      const fin = lineOf(server, a.remote, "->", /half-closed our side/);
      assert.ok(read < bye && bye < fin, `read ${read}, bye ${bye}, FIN ${fin}:\n${server.stderr}`);
    } finally {
      await closeAll(a?.connection);
      await server.kill();
    }
  });
});
