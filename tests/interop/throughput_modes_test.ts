// server.ts --mode discard and --mode chargen (RFC 863, 864): raw byte
// services for the throughput lab, through the real script.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import process from "node:process";
import { describe, test } from "node:test";
import { settlesWithin } from "../../src/async/deadline.ts";
import type { TcpConnection } from "../../src/net/types.ts";
import { openTcp } from "../../src/tcp/tcp_client.ts";
import { peerMissing } from "../helpers/peers.ts";
import { runScript, startServer, startUdpServer } from "../helpers/scripts.ts";

const WAIT_MS = 10_000;

/** A raw connection that collects what it reads and notes the server's FIN and the close. */
async function rawClient(port: number, keepAtMost = Infinity) {
  const connection: TcpConnection = await openTcp({ port });
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let received = 0;
  let markEnded!: () => void;
  let markClosed!: () => void;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const arrivals: (() => void)[] = [];
  connection.start({
    data(chunk) {
      received += chunk.length;
      if (kept < keepAtMost) {
        chunks.push(chunk.slice());
        kept += chunk.length;
      }
      for (const wake of arrivals.splice(0)) wake();
    },
    end: () => markEnded(),
    close() {
      markEnded();
      markClosed();
      for (const wake of arrivals.splice(0)) wake();
    },
  });
  return {
    connection,
    ended,
    closed,
    get received() {
      return received;
    },
    kept(): Uint8Array {
      const all = new Uint8Array(kept);
      let at = 0;
      for (const chunk of chunks) {
        all.set(chunk, at);
        at += chunk.length;
      }
      return all;
    },
    /** Waits until at least `bytes` have been read; bounded in time. */
    async readAtLeast(bytes: number): Promise<void> {
      const deadline = Date.now() + WAIT_MS;
      while (received < bytes) {
        assert.ok(Date.now() < deadline, `only ${received} of ${bytes} bytes came`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          arrivals.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}
// An RFC 864 line: 72 characters, CR and LF.
const LINE_BYTES = 74;

/** The RFC 864 line numbered `line` (from 0), CR LF included. */
function expectedLine(line: number): string {
  let text = "";
  for (let i = 0; i < 72; i++) text += String.fromCharCode(32 + ((line + i) % 95));
  return `${text}\r\n`;
}

describe("server.ts --mode discard", () => {
  test("discard reads every byte unframed, answers nothing, FINs after the client's FIN, and -v reports it", async () => {
    const { server, port } = await startServer("server.ts", [
      "--mode",
      "discard",
      "-v",
      "--port",
      "0",
    ]);
    try {
      const client = await rawClient(port);
      // 3 MiB with no newline: far over any frame limit, which discard must not apply.
      const payload = new Uint8Array(3 * 1024 * 1024).fill(0x61);
      client.connection.write(payload);
      await client.connection.closeWrite();
      assert.ok(await settlesWithin(client.ended, WAIT_MS), "no FIN from the discard server");
      assert.equal(client.received, 0, "discard sends nothing back");
      client.connection.close();
      await client.closed;
      const report = await server.waitFor(
        /client 1 \(127\.0\.0\.1:\d+\) sent 3\.00 MBytes in [\d.]+ s, [\d.]+ [KMG]?bits\/sec \(3145728 bytes discarded\)/,
        { stream: "stderr" },
      );
      assert.ok(report);
      const stopped = await server.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stderr, /0 messages in, 0 messages out, 3145728 bytes in, 0 bytes out/);
      assert.doesNotMatch(stopped.stderr, /error|too large/i);
    } finally {
      await server.kill();
    }
  });

  test("discard without -v reports no per-client line", async () => {
    const { server, port } = await startServer("server.ts", ["--mode", "discard", "--port", "0"]);
    try {
      const client = await rawClient(port);
      client.connection.write(new TextEncoder().encode("hello\n"));
      await client.connection.closeWrite();
      assert.ok(await settlesWithin(client.ended, WAIT_MS));
      client.connection.close();
      await client.closed;
      const stopped = await server.stop();
      assert.match(stopped.stderr, /6 bytes in/);
      assert.doesNotMatch(stopped.stderr, /discarded/);
    } finally {
      await server.kill();
    }
  });
});

describe("server.ts --mode chargen", () => {
  test("chargen sends the RFC 864 rotating lines, across the pattern's 95-line turn", async () => {
    const { server, port } = await startServer("server.ts", ["--mode", "chargen", "--port", "0"]);
    try {
      const lines = 200;
      const client = await rawClient(port, lines * 74);
      await client.readAtLeast(lines * 74);
      const text = new TextDecoder().decode(client.kept().subarray(0, lines * 74));
      for (let line = 0; line < lines; line++) {
        assert.equal(text.slice(line * 74, (line + 1) * 74), expectedLine(line), `line ${line}`);
      }
      client.connection.close();
      await client.closed;
    } finally {
      await server.kill();
    }
  });

  test("chargen stops when the client half-closes or closes, and serves the next client", async () => {
    const { server, port } = await startServer("server.ts", [
      "--mode",
      "chargen",
      "-v",
      "--port",
      "0",
    ]);
    try {
      const first = await rawClient(port, 0);
      await first.readAtLeast(1024 * 1024);
      await first.connection.closeWrite();
      // Only what was queued or in flight when our FIN arrived follows it: bounded, not endless.
      const atFin = first.received;
      assert.ok(await settlesWithin(first.ended, WAIT_MS), "chargen did not stop after our FIN");
      assert.ok(
        first.received - atFin < 64 * 1024 * 1024,
        `${first.received - atFin} bytes after FIN`,
      );
      first.connection.close();
      await first.closed;
      await server.waitFor(/client 1 \(127\.0\.0\.1:\d+\) disconnected\n/, { stream: "stderr" });

      const second = await rawClient(port, 0);
      await second.readAtLeast(1024 * 1024);
      // Closing with unread bytes resets the connection; the server must take that in its stride.
      second.connection.close();
      await second.closed;
      await server.waitFor(/client 2 \(127\.0\.0\.1:\d+\) disconnected/, { stream: "stderr" });
      const stopped = await server.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stderr, /2 connections served/);
    } finally {
      await server.kill();
    }
  });

  test(
    "chargen queues only what the socket takes: a client that reads nothing costs no memory",
    {
      skip: process.platform === "linux"
        ? false
        : "needs Linux's /proc to read the server's memory",
    },
    async () => {
      const { server, port } = await startServer("server.ts", ["--mode", "chargen", "--port", "0"]);
      try {
        const rss = () => {
          // ps rather than /proc: Deno grants /proc reads only with --allow-all.
          const ps = spawnSync("ps", ["-o", "rss=", "-p", String(server.child.pid)], {
            encoding: "utf8",
          });
          return Number(ps.stdout.trim()) * 1024;
        };
        const before = rss();
        const connection = await openTcp({ port });
        let release!: () => void;
        const stalled = new Promise<void>((resolve) => (release = resolve));
        // The first chunk pauses reading for good: the server's socket fills and stays full.
        connection.start({ data: () => stalled, end() {}, close: () => release() });
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const grown = rss() - before;
        release();
        connection.close();
        // Unbounded queueing would grow by gigabytes in that time.
        assert.ok(grown < 64 * 1024 * 1024, `server grew by ${grown} bytes`);
      } finally {
        await server.kill();
      }
    },
  );

  test(
    "chargen serves an nc user reading into a pipe (nc host port > file)",
    { skip: peerMissing("nc", "netcat-openbsd") },
    async () => {
      const { server, port } = await startServer("server.ts", ["--mode", "chargen", "--port", "0"]);
      try {
        const nc = spawn("nc", ["127.0.0.1", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        const enough = new Promise<void>((resolve) => {
          nc.stdout!.on("data", (data: Uint8Array) => {
            out += new TextDecoder().decode(data);
            if (out.length >= 3 * 74) resolve();
          });
        });
        const exited = new Promise((resolve) => nc.on("close", resolve));
        const timer = setTimeout(() => nc.kill("SIGKILL"), WAIT_MS);
        try {
          await Promise.race([enough, exited]);
        } finally {
          nc.kill("SIGKILL");
          await exited;
          clearTimeout(timer);
        }
        assert.equal(out.slice(0, 3 * 74), expectedLine(0) + expectedLine(1) + expectedLine(2));
      } finally {
        await server.kill();
      }
    },
  );
});

describe("udp.ts server --mode discard and chargen", () => {
  test("udp chargen answers a 152-byte datagram with 512 characters of the RFC 864 pattern, a shorter one with 3x its bytes on the wire", async () => {
    const { server, port } = await startUdpServer(["--mode", "chargen"]);
    try {
      const result = await runScript("udp.ts", [
        "client",
        "--port",
        String(port),
        "x".repeat(152),
        "anything",
      ]);
      assert.equal(result.code, 0, result.stderr);
      // The client shows CR and LF as \x0d\x0a.
      const shown = (text: string) => text.replaceAll("\r\n", "\\x0d\\x0a");
      let expected = "";
      for (let line = 0; expected.length < 512 + LINE_BYTES; line++) expected += expectedLine(line);
      // Each answer starts one line further on; 8 bytes plus 28 of headers earn 3 x 36 - 28 = 80.
      const [full, short] = result.stdout.trimEnd().split("\n");
      assert.equal(full, shown(expected.slice(0, 512)));
      assert.equal(short, shown(expected.slice(LINE_BYTES, LINE_BYTES + 80)));
    } finally {
      await server.kill();
    }
  });

  test("udp discard answers nothing and counts what each peer sent", async () => {
    const { server, port } = await startUdpServer(["--mode", "discard"]);
    try {
      const result = await runScript("udp.ts", [
        "client",
        "--port",
        String(port),
        "--timeout",
        "300ms",
        "--retries",
        "0",
        "hello",
      ]);
      assert.equal(result.code, 1, "no answer from discard");
      assert.equal(result.stdout, "");
      const stopped = await server.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stderr, /counted and dropped/);
      assert.match(stopped.stderr, /stopped: 1 datagram, 5 bytes from 1 peer/);
    } finally {
      await server.kill();
    }
  });
});
