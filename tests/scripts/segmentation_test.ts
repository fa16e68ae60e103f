// Segmentation, Nagle and reply delay as users type them: client.ts --chunk and
// --nagle, server.ts --nagle and --delay, watched through the server's -v.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { connect } from "../../mod.ts";
import { closeAll } from "../helpers/connections.ts";
import { runScript, startServer } from "../helpers/scripts.ts";
import { startTlsServer } from "../helpers/tls_server.ts";

const REPLY_TIMEOUT_MS = 5_000;

/** The server's narrated reads of one client's connection, as [bytes, messages]. */
function narratedReads(stderr: string, clientPort: number): [number, number][] {
  const pattern = new RegExp(
    `<- 127\\.0\\.0\\.1:${clientPort}  read (\\d+) bytes?, (\\d+) messages? complete`,
    "g",
  );
  return [...stderr.matchAll(pattern)].map((m) => [Number(m[1]), Number(m[2])]);
}

/** The client's port, read off its own -v narration of the connect. */
function clientPort(clientStderr: string): number {
  const match = clientStderr.match(/tcp 127\.0\.0\.1:(\d+) -> 127\.0\.0\.1:\d+ {2}connected/);
  assert.ok(match, `no connected line in:\n${clientStderr}`);
  return Number(match[1]);
}

describe("client.ts --chunk", () => {
  test("client.ts --chunk 3 --chunk-delay 50ms: the server reads at most 3 bytes at a time", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "-v"]);
    try {
      const client = await runScript("client.ts", [
        "--port",
        String(port),
        "--chunk",
        "3",
        "--chunk-delay",
        "50ms",
        "-v",
        "hello",
      ]);
      assert.equal(client.code, 0, client.stderr);
      assert.equal(client.stdout, "hello\n");
      // The client narrates each piece as its own write; only the last completes the message.
      assert.match(client.stderr, /wrote 3 bytes \(0 messages\)[^]*wrote 3 bytes \(1 message\)/);
      const from = clientPort(client.stderr);
      await server.waitFor(new RegExp(`-> 127\\.0\\.0\\.1:${from} {2}closed`), {
        stream: "stderr",
      });
      assert.deepEqual(narratedReads(server.stderr, from), [[3, 0], [3, 1]], server.stderr);
    } finally {
      await server.kill();
    }
  });

  test("client.ts --chunk with --bench, or --chunk-delay alone, is a usage error", async () => {
    const bench = await runScript("client.ts", ["--chunk", "3", "--bench", "1"]);
    assert.equal(bench.code, 2);
    assert.match(bench.stderr, /--chunk does not combine with --bench/);
    const alone = await runScript("client.ts", ["--chunk-delay", "10ms", "hello"]);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--chunk-delay only applies with --chunk/);
  });
});

describe("--nagle", () => {
  test("client.ts --nagle -v and server.ts -v say which of Nagle and TCP_NODELAY is in force", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "-v"]);
    try {
      const client = await runScript("client.ts", ["--port", String(port), "--nagle", "-v", "hi"]);
      assert.equal(client.code, 0, client.stderr);
      assert.equal(client.stdout, "hi\n");
      assert.match(client.stderr, /connected \(handshake done[^\n]*\n[^\n]*Nagle's algorithm on/);
      await server.waitFor(/TCP_NODELAY: each write goes out at once/, { stream: "stderr" });
    } finally {
      await server.kill();
    }
    const nagle = await startServer("server.ts", ["--port", "0", "-v", "--nagle"]);
    try {
      const client = await runScript("client.ts", ["--port", String(nagle.port), "-v", "hi"]);
      assert.equal(client.code, 0, client.stderr);
      assert.match(client.stderr, /TCP_NODELAY: each write goes out at once/);
      await nagle.server.waitFor(/Nagle's algorithm on/, { stream: "stderr" });
    } finally {
      await nagle.server.kill();
    }
  });

  // Deno's own TLS listener could not set it (Deno 2.9); its --tls server now runs on node:tls, which can.
  test("server.ts --tls -v says TCP_NODELAY is in force on both runtimes, as with plain TCP", async () => {
    const { server, port, fingerprint } = await startTlsServer(["-v"]);
    try {
      const client = await runScript("client.ts", [
        "--port",
        String(port),
        "--tls",
        "--fingerprint",
        fingerprint,
        "-v",
        "hi",
      ]);
      assert.equal(client.code, 0, client.stderr);
      // The client's side is node:tls on Deno, which can set it.
      assert.match(client.stderr, /TCP_NODELAY: each write goes out at once/);
      await server.waitFor(/TCP_NODELAY: each write goes out at once/, { stream: "stderr" });
    } finally {
      await server.kill();
    }
  });
});

describe("server.ts --delay", () => {
  test("server.ts --delay 200ms holds a reply at least 200 ms", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "--delay", "200ms"]);
    const connection = await connect({ host: "127.0.0.1", port }).catch(async (error) => {
      await server.kill();
      throw error;
    });
    try {
      // Timed around the whole hold, so only a lower bound: it cannot flake on a slow machine.
      const started = performance.now();
      connection.send("late");
      assert.equal((await connection.receive(REPLY_TIMEOUT_MS))?.text, "late");
      // Date.now() has whole milliseconds, so the hold may look up to 1 ms short.
      assert.ok(performance.now() - started >= 199, "the reply came before 200 ms");
    } finally {
      await closeAll(connection);
      await server.kill();
    }
  });

  test("server.ts --delay 100ms±90ms --seed 1 keeps pipelined replies in order", async () => {
    const { server, port } = await startServer("server.ts", [
      "--port",
      "0",
      "--delay",
      "100ms±90ms",
      "--seed",
      "1",
    ]);
    try {
      const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`);
      // Piped input goes out as fast as it is read: the replies are held at the same time.
      const client = await runScript("client.ts", ["--port", String(port)], {
        input: lines.map((line) => `${line}\n`).join(""),
      });
      assert.equal(client.code, 0, client.stderr);
      assert.deepEqual(client.stdout.split("\n").slice(0, -1), lines);
      assert.match(server.stderr, /held 100ms±90ms \(--seed 1 repeats it\)/);
    } finally {
      await server.kill();
    }
  });

  test("server.ts --delay takes +- for ±, refuses jitter above the delay and --seed alone", async () => {
    const plus = await startServer("server.ts", ["--port", "0", "--delay", "50ms+-10ms"]);
    await plus.server.kill();
    const over = await runScript("server.ts", ["--port", "0", "--delay", "10ms±20ms"]);
    assert.equal(over.code, 2);
    assert.match(over.stderr, /--delay: the jitter \(20ms\) may not exceed the delay \(10ms\)/);
    const seed = await runScript("server.ts", ["--port", "0", "--seed", "3"]);
    assert.equal(seed.code, 2);
    assert.match(seed.stderr, /--seed only applies with --delay/);
  });
});
