// --verbose, --json and --hex through the real scripts, on the runtime running the tests.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { networkInterfaces } from "node:os";
import { describe, test } from "node:test";
import { connect } from "../../src/tcp/tcp_client.ts";
import { peerMissing } from "../helpers/peers.ts";
import { type RunningScript, runScript, startServer } from "../helpers/scripts.ts";

const REPLY_TIMEOUT_MS = 5000;

// Connects, sends a line, takes its echo, then closes with SO_LINGER 0, which makes
// the kernel abort the connection with RST instead of a FIN; prints its own port first.
const RESETTING_CLIENT = `
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print(s.getsockname()[1], flush=True)
s.sendall(b"first\\n")
got = b""
while len(got) < 6:
    got += s.recv(64)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
`;

/** Runs an external peer to completion, killed after `timeoutMs` so it cannot hang the test. */
function runPeer(command: string, args: string[], timeoutMs = 10_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** An address such as `127.0.0.1:9000` or `[::1]:9000`, made safe to put in a pattern. */
const escapeRegExp = (text: string) => text.replace(/[.[\]]/g, "\\$&");

/** `[hh:mm:ss.mmm] tcp LOCAL ARROW REMOTE  ` for one connection, as a pattern. */
function narrationPrefix(protocol: string, local: string, remote: string): RegExp {
  return new RegExp(
    `^\\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] ${protocol} ${escapeRegExp(local)} (->|<-) ${
      escapeRegExp(remote)
    } {2}(.*)$`,
  );
}

/** The narrated sentences about one address pair, in order, with their arrows. */
function narrated(stderr: string, protocol: string, local: string, remote: string): string[] {
  const pattern = narrationPrefix(protocol, local, remote);
  return stderr.split("\n").flatMap((line) => {
    const match = line.match(pattern);
    return match ? [`${match[1]} ${match[2]}`] : [];
  });
}

/** Asserts that `lines` match `patterns` one to one, in order. */
function assertInOrder(lines: string[], patterns: RegExp[], context: string): void {
  assert.equal(lines.length, patterns.length, `${context}:\n${lines.join("\n")}`);
  patterns.forEach((pattern, i) => assert.match(lines[i]!, pattern, context));
}

type JsonEvent = Record<string, unknown> & { event: string; local: string; remote: string };

/** The narrated events among stderr's JSON lines; status and error events are skipped. */
function jsonEvents(stderr: string): JsonEvent[] {
  return stderr.split("\n").filter((line) => line.startsWith("{")).map((line) =>
    JSON.parse(line) as JsonEvent
  ).filter((record) => "protocol" in record);
}

/** Checks the fields every JSON event carries, and the byte fields where they belong. */
function assertSchema(record: JsonEvent, protocol: "tcp" | "udp"): void {
  const text = JSON.stringify(record);
  assert.match(String(record.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, text);
  assert.equal(record.protocol, protocol, text);
  assert.match(record.local, /^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):\d+$/, text);
  assert.match(record.remote, /^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):\d+$/, text);
  const carriesBytes = ["read", "wrote", "datagram-in", "datagram-out"].includes(record.event);
  assert.equal(typeof record.bytes === "number", carriesBytes, `bytes field: ${text}`);
  const carriesMessages = record.event === "read" || record.event === "wrote";
  assert.equal(typeof record.messages === "number", carriesMessages, `messages field: ${text}`);
}

/** Runs client.ts against `port` and checks it succeeded. */
async function runClient(port: number, args: string[]) {
  const result = await runScript("client.ts", ["--port", String(port), ...args]);
  assert.equal(result.code, 0, `client.ts failed: ${result.stderr}`);
  return result;
}

/** The client's own address, read off its narrated or JSON "connected" event. */
function clientAddress(stderr: string): string {
  const match = stderr.match(/(127\.0\.0\.1:\d+)(?: -> |","remote":")127\.0\.0\.1:\d+/);
  assert.ok(match, `no connected event in:\n${stderr}`);
  return match[1]!;
}

/** Waits until the server has narrated the close of the connection from `remote`. */
async function waitForClose(server: RunningScript, pattern: RegExp): Promise<void> {
  await server.waitFor(pattern, { stream: "stderr", timeoutMs: REPLY_TIMEOUT_MS });
}

describe("narration through server.ts and client.ts", () => {
  test("server.ts -v narrates connect, read, write, the peer's FIN, our FIN and close", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "-v"]);
    try {
      const connection = await connect({ host: "127.0.0.1", port });
      const remote = `127.0.0.1:${connection.localAddress.port}`;
      try {
        connection.send("hello");
        assert.equal((await connection.receive(REPLY_TIMEOUT_MS))?.text, "hello");
        await connection.end();
        assert.equal(await connection.receive(REPLY_TIMEOUT_MS), null);
      } finally {
        connection.close();
        await connection.closed;
      }
      const local = `127.0.0.1:${port}`;
      await waitForClose(server, new RegExp(`-> ${escapeRegExp(remote)} {2}closed$`, "m"));
      assertInOrder(narrated(server.stderr, "tcp", local, remote), [
        /^-> connected \(handshake done: SYN, SYN\/ACK, ACK\)$/,
        /^-> TCP_NODELAY: each write goes out at once/,
        /^<- read 6 bytes, 1 message complete$/,
        /^-> wrote 6 bytes \(1 message\)$/,
        /^<- peer half-closed \(FIN received\)/,
        /^-> half-closed our side \(FIN sent/,
        /^-> closed$/,
      ], "server narration");
    } finally {
      await server.kill();
    }
  });

  test(
    "server.ts -v --json shows a client that aborts mid-connection as a reset or an error close",
    { skip: peerMissing("python3", "python3") },
    async () => {
      const { server, port } = await startServer("server.ts", ["--port", "0", "-v", "--json"]);
      try {
        const aborter = await runPeer("python3", ["-c", RESETTING_CLIENT, String(port)]);
        assert.equal(aborter.code, 0, aborter.stderr);
        const remote = `127.0.0.1:${aborter.stdout.trim()}`;
        await waitForClose(
          server,
          new RegExp(`"event":"closed","local":"[^"]+","remote":"${escapeRegExp(remote)}"`),
        );
        // With --json, -v's sentence rides in each event as "text": every line stays JSON.
        const events = jsonEvents(server.stderr).filter((r) => r.remote === remote);
        const lines = events.map((r) => String(r.text));
        const context = lines.join("\n");
        assert.match(lines[0]!, /^connected/, context);
        assert.ok(lines.some((line) => /^wrote 6 bytes/.test(line)), context);
        // Runtimes may word an abort differently; it is never a FIN, and the close names an error.
        assert.match(lines.at(-1)!, /^(reset by peer \(RST\)|closed: .+)/, context);
        assert.ok(!lines.some((line) => line.includes("FIN received")), context);
        const closed = events.find((r) => r.event === "closed");
        assert.ok(closed, server.stderr);
        assertSchema(closed, "tcp");
        assert.match(String(closed.error), /^[A-Z_]+$|^\w+Error$/, JSON.stringify(closed));
        assert.equal(typeof closed.message, "string");
        // The server stays up for the next client.
        const result = await runClient(port, ["still here"]);
        assert.equal(result.stdout, "still here\n");
      } finally {
        await server.kill();
      }
    },
  );

  test("client.ts -v narrates its side on stderr while stdout carries only the replies", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "--mode", "upper"]);
    try {
      const result = await runClient(port, ["-v", "hello", "two words"]);
      assert.equal(result.stdout, "HELLO\nTWO WORDS\n");
      const local = clientAddress(result.stderr);
      assertInOrder(narrated(result.stderr, "tcp", local, `127.0.0.1:${port}`), [
        /^-> connected/,
        /^-> TCP_NODELAY: each write goes out at once/,
        /^-> wrote 6 bytes \(1 message\)$/,
        /^<- read 6 bytes, 1 message complete$/,
        /^-> wrote 10 bytes \(1 message\)$/,
        /^<- read 10 bytes, 1 message complete$/,
        // After its last reply the client half-closes and waits for the server's FIN: no reset.
        /^-> half-closed our side \(FIN sent/,
        /^<- peer half-closed \(FIN received\)/,
        /^-> closed$/,
      ], "client narration");
    } finally {
      await server.kill();
    }
  });

  test("server.ts and client.ts --json write parseable JSON Lines in lifecycle order", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "--json"]);
    try {
      const result = await runClient(port, ["--json", "hello"]);
      assert.equal(result.stdout, "hello\n");
      const stderrLines = result.stderr.split("\n").filter((line) => line !== "");
      const clientEvents = stderrLines.map((line) => JSON.parse(line) as JsonEvent);
      for (const record of clientEvents) assertSchema(record, "tcp");
      assert.deepEqual(clientEvents.map((r) => r.event), [
        "connected",
        "wrote",
        "read",
        "fin-sent",
        "peer-fin",
        "closed",
      ]);
      const local = clientEvents[0]!.local;
      assert.ok(clientEvents.every((r) => r.local === local && r.remote === `127.0.0.1:${port}`));
      assert.deepEqual(
        clientEvents.filter((r) => r.bytes !== undefined).map((r) => [r.bytes, r.messages]),
        [[6, 1], [6, 1]],
      );

      await waitForClose(server, /"event":"closed"/);
      const serverEvents = jsonEvents(server.stderr).filter((r) => r.remote === local);
      for (const record of serverEvents) assertSchema(record, "tcp");
      assert.deepEqual(serverEvents.map((r) => r.event), [
        "connected",
        "read",
        "wrote",
        "peer-fin",
        "fin-sent",
        "closed",
      ]);
      assert.ok(serverEvents.every((r) => r.local === `127.0.0.1:${port}`));
      const times = serverEvents.map((r) => Date.parse(String(r.time)));
      assert.deepEqual(times, [...times].sort((a, b) => a - b), "times go forward");
      // --json alone keeps stderr pure JSON Lines while the server runs.
      for (const line of server.stderr.split("\n").filter((l) => l !== "")) JSON.parse(line);
    } finally {
      await server.kill();
    }
  });

  test("client.ts and server.ts --hex show the newline byte 0a at stream offsets", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "--hex"]);
    try {
      const result = await runClient(port, ["--hex", "hello", "hi"]);
      assert.equal(result.stdout, "hello\nhi\n");
      const dump = result.stderr;
      assert.ok(dump.includes("  -> 00000000  68 65 6c 6c 6f 0a "), dump);
      assert.ok(dump.includes("|hello.|"), dump);
      // The second request continues the stream: it starts at byte 6.
      assert.ok(dump.includes("  -> 00000006  68 69 0a "), dump);
      assert.ok(dump.includes("  <- 00000000  68 65 6c 6c 6f 0a "), dump);
      const remote = clientAddress(dump);
      // Without -v the server prints only the events that carry bytes, each with its dump.
      await server.waitFor(/ {2}-> 00000006 {2}68 69 0a /, { stream: "stderr" });
      assert.ok(server.stderr.includes("  <- 00000000  68 65 6c 6c 6f 0a "), server.stderr);
      assert.match(
        server.stderr,
        new RegExp(`127\\.0\\.0\\.1:${port} <- ${escapeRegExp(remote)} {2}read 6 bytes`),
      );
    } finally {
      await server.kill();
    }
  });

  test("--hex with --framing length shows the 4-byte prefix 00 00 00 05 before the payload", async () => {
    const args = ["--port", "0", "--framing", "length", "--hex"];
    const { server, port } = await startServer("server.ts", args);
    try {
      const result = await runClient(port, ["--framing", "length", "--hex", "hello", "hi"]);
      assert.equal(result.stdout, "hello\nhi\n");
      const dump = result.stderr;
      assert.ok(dump.includes("  -> 00000000  00 00 00 05 68 65 6c 6c  6f "), dump);
      assert.ok(dump.includes("|....hello|"), dump);
      // 4 + 5 bytes later comes the second frame's prefix.
      assert.ok(dump.includes("  -> 00000009  00 00 00 02 68 69 "), dump);
      assert.ok(dump.includes("  <- 00000000  00 00 00 05 68 65 6c 6c  6f "), dump);
      await server.waitFor(/ {2}-> 00000009 {2}00 00 00 02 68 69 /, { stream: "stderr" });
      assert.ok(server.stderr.includes("  <- 00000000  00 00 00 05 68 65 6c 6c  6f "));
    } finally {
      await server.kill();
    }
  });
});

describe("narration through udp.ts", () => {
  test("udp.ts server --json --hex and udp.ts client --hex show each datagram", async () => {
    const { server, port } = await startServer("udp.ts", [
      "server",
      "--port",
      "0",
      "--json",
      "--hex",
    ]);
    try {
      const args = ["client", "--port", String(port), "--hex", "hello", "a b"];
      const result = await runScript("udp.ts", args);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "hello\na b\n");
      const lines = result.stderr.split("\n");
      const outs = lines.filter((line) =>
        / udp \S+ -> 127\.0\.0\.1:\d+ {2}datagram out/.test(line)
      );
      const ins = lines.filter((line) => / udp \S+ <- 127\.0\.0\.1:\d+ {2}datagram in/.test(line));
      assert.deepEqual(outs.map((line) => line.replace(/.* {2}/, "")), [
        "datagram out, 5 bytes",
        "datagram out, 3 bytes",
      ]);
      assert.equal(ins.length, 2, result.stderr);
      // Each datagram stands alone, so each dump starts at offset 0.
      assert.ok(result.stderr.includes("  -> 00000000  68 65 6c 6c 6f "), result.stderr);
      assert.ok(result.stderr.includes("  -> 00000000  61 20 62 "), result.stderr);
      assert.ok(result.stderr.includes("  <- 00000000  61 20 62 "), result.stderr);

      await server.waitFor(/"event":"datagram-out"[^\n]*"bytes":3/, { stream: "stderr" });
      const events = jsonEvents(server.stderr);
      for (const record of events) assertSchema(record, "udp");
      assert.deepEqual(events.map((r) => [r.event, r.bytes]), [
        ["datagram-in", 5],
        ["datagram-out", 5],
        ["datagram-in", 3],
        ["datagram-out", 3],
      ]);
      assert.ok(events.every((r) => r.local === `127.0.0.1:${port}`));
      // With --json the bytes ride in each event, so every stderr line stays one JSON object.
      assert.deepEqual(events.map((r) => r.hex), ["68656c6c6f", "68656c6c6f", "612062", "612062"]);
    } finally {
      await server.kill();
    }
  });
});

describe("the listen banner", () => {
  test("server.ts on 0.0.0.0 lists this machine's addresses and a capture filter", async () => {
    const { server, port } = await startServer("server.ts", [
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "--no-announce",
    ]);
    try {
      await server.waitFor(/to watch the packets.*\n/, { stream: "stderr" });
      assert.equal(server.stdout.split("\n")[0], `listening on tcp://0.0.0.0:${port}`);
      const external = Object.values(networkInterfaces()).flatMap((entries) => entries ?? [])
        .filter((entry) => !entry.internal && entry.family === "IPv4")
        .map((entry) => entry.address);
      // Only read: nothing connects to these addresses, the test stays on loopback.
      // Each command is a line of its own, its interface on the line before, so it pastes
      // into any shell (Windows cmd has no comments).
      const listed = [
        ...server.stderr.matchAll(/^ {4}\S.*client\.ts --host (\S+) --port (\d+)$/gm),
      ];
      assert.doesNotMatch(server.stderr, /client\.ts .*#/);
      if (external.length > 0) {
        assert.match(server.stderr, /^other PCs can connect with:\n {2}on \S+:$/m);
        assert.deepEqual(listed.map((m) => m[1]).sort(), [...external].sort());
        assert.ok(listed.every((m) => m[2] === String(port)), server.stderr);
      } else {
        assert.match(server.stderr, /only this PC can connect|no IPv4 address but loopback/);
        assert.equal(listed.length, 0);
      }
      assert.ok(
        server.stderr.includes(`"tcp.port == ${port}"`)
          && server.stderr.includes(`-f "tcp port ${port}"`),
        server.stderr,
      );
    } finally {
      await server.kill();
    }
  });
});
