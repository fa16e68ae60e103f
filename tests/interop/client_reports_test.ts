// client.ts never misreports a server: one reply per message or exit 1, an
// `error: ` line before a close on stderr, a ping cut short said to be cut
// short, and a close that waits for the server's FIN instead of resetting it.
// The servers are small Python ones with the mistakes students make
// (tests/fixtures/misreport/student_server.py), socklab's own, and library ones.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { connect } from "../../src/tcp/tcp_client.ts";
import { serve } from "../../src/tcp/tcp_server.ts";
import { peerMissing } from "../helpers/peers.ts";
import { type RunningScript, runScript, startServer } from "../helpers/scripts.ts";
import { startPythonServer } from "../helpers/student_servers.ts";

const noPython = peerMissing("python3", "python3");
const STUDENT_SERVER = "tests/fixtures/misreport/student_server.py";

/** Starts one variant of the student server and waits for the port it prints. */
const startStudent = (variant: string) => startPythonServer([STUDENT_SERVER, variant]);

/** What the student server said about each connection: "clean" or the error it met. */
async function outcomes(server: RunningScript, count: number): Promise<string[]> {
  const match = await server.waitFor(new RegExp(`^\\d+\\n((?:\\w+\\n){${count}})`));
  return match[1]!.trimEnd().split("\n");
}

/** Runs `client.ts --port PORT ...args` as users type it. */
function client(port: number, args: string[]) {
  return runScript("client.ts", ["--port", String(port), ...args]);
}

describe("client.ts MESSAGE... holds the server to one reply per message", () => {
  test("client.ts prints both lines and exits 1 when the server answers each message twice", {
    skip: noPython,
  }, async () => {
    const { server, port } = await startStudent("two-lines");
    try {
      const one = await client(port, ["hello"]);
      assert.equal(one.stdout, "HELLO\nHELLO\n");
      assert.match(one.stderr, /^client\.ts: the server sent 2 lines for 1 message; /);
      assert.equal(one.stderr.split("\n").length, 2, one.stderr);
      assert.equal(one.code, 1);
      // However the second line lines up with the next request, the count at the end does not lie.
      const two = await client(port, ["hello", "world"]);
      assert.equal(two.stdout, "HELLO\nHELLO\nWORLD\nWORLD\n");
      assert.match(two.stderr, /^client\.ts: the server sent 4 lines for 2 messages; /);
      assert.equal(two.code, 1);
    } finally {
      await server.kill();
    }
  });

  test("client.ts exits 1 when a reply written in pieces ends in an extra newline", {
    skip: noPython,
  }, async () => {
    const { server, port } = await startStudent("pieces");
    try {
      const result = await client(port, ["hello"]);
      assert.equal(result.stdout, "HELLO\n\n");
      assert.match(result.stderr, /the server sent 2 lines for 1 message; .*extra newline/);
      assert.equal(result.code, 1);
    } finally {
      await server.kill();
    }
  });

  test("client.ts names the unanswered message when the server closes before replying to it", {
    skip: noPython,
  }, async () => {
    const { server, port } = await startStudent("one-reply");
    try {
      const result = await client(port, ["hello", "world"]);
      assert.equal(result.stdout, "HELLO\n");
      assert.match(
        result.stderr,
        /^client\.ts: [^\n]*the server closed the connection without replying to 'world' \(message 2 of 2\)\n$/,
      );
      assert.equal(result.code, 1);
    } finally {
      await server.kill();
    }
  });

  test("client.ts --timeout says when the reply came without its newline, and prints it", {
    skip: noPython,
  }, async () => {
    const { server, port } = await startStudent("no-newline");
    try {
      const result = await client(port, ["--timeout", "0.3", "hello"]);
      // Half-closing after the timeout lets the server finish; the unfinished line still shows.
      assert.equal(result.stdout, "HELLO\n");
      assert.match(
        result.stderr,
        /no reply to 'hello' within 0\.3 s: 5 bytes came but no newline to end them \(/,
      );
      assert.equal(result.code, 1);
      assert.deepEqual(await outcomes(server, 1), ["clean"]);
    } finally {
      await server.kill();
    }
  });
});

describe("client.ts reports a server's error line and its close", () => {
  test("client.ts exits 1 with socklab's 'error: server full' on stderr, an echoed 'error: ' on stdout", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "--max-conns", "1"]);
    const holder = await connect({ port });
    const echo = await serve({ port: 0 }, (message) => message.bytes);
    try {
      // An answer proves the holder is being served, so it fills the only place.
      holder.send("holding");
      assert.equal((await holder.receive(10_000))?.text, "holding");
      const result = await client(port, ["hello"]);
      assert.equal(result.stdout, "");
      assert.equal(
        result.stderr,
        `client.ts: 127.0.0.1:${port} sent an error and closed the connection: error: server full (1 client connected); try again later\n`,
      );
      assert.equal(result.code, 1);
      // An error line alone is an answer like any other: only the close makes it the server's last word.
      const echoed = await client(echo.address.port, ["error: only words", "next"]);
      assert.equal(echoed.stdout, "error: only words\nnext\n");
      assert.equal(echoed.stderr, "");
      assert.equal(echoed.code, 0);
    } finally {
      holder.close();
      await server.kill();
      await echo.close();
    }
  });
});

describe("client.ts ends without resetting the server", () => {
  test("client.ts reads a server's late lines before closing, so the server sees no reset", {
    skip: noPython,
  }, async () => {
    // The server replies, then writes twice more 0.2 s apart before it closes.
    // A client that closed at the reply would make the later writes fail with
    // BrokenPipeError or ConnectionResetError.
    const { server, port } = await startStudent("late-lines");
    try {
      const result = await client(port, ["hello"]);
      assert.deepEqual(await outcomes(server, 1), ["clean"], "what the server met");
      assert.equal(result.stdout, "HELLO\nmore\nbye\n");
      assert.match(result.stderr, /the server sent 3 lines for 1 message/);
      assert.equal(result.code, 1);
    } finally {
      await server.kill();
    }
  });

  test("client.ts -v waits for a slow server's FIN after its own, then closes", {
    skip: noPython,
  }, async () => {
    const { server, port } = await startStudent("slow-close");
    try {
      const result = await client(port, ["-v", "hello"]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "HELLO\n");
      const events = result.stderr.split("\n").filter((line) => line !== "").map((line) =>
        line.replace(/^\[[\d:.]+\] tcp \S+ (->|<-) \S+ {2}/, "$1 ")
      );
      assert.deepEqual(events.slice(-3).map((line) => line.slice(0, 24)), [
        "-> half-closed our side ",
        "<- peer half-closed (FIN",
        "-> closed",
      ], result.stderr);
      assert.deepEqual(await outcomes(server, 1), ["clean"]);
    } finally {
      await server.kill();
    }
  });

  test("client.ts -v says why it closed first when the server does not close after its FIN", {
    skip: noPython,
  }, async () => {
    const { server, port } = await startStudent("hold-open");
    try {
      const result = await client(port, ["-v", "hello"]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "HELLO\n");
      assert.match(
        result.stderr,
        /-> \S+ {2}closed before the peer's FIN \(no FIN within 1000 ms of its last message or ours\): what it still sends is answered with RST\n$/,
      );
      // Graders get the same reason in the JSON "closed" event.
      const json = await client(port, ["--json", "hello"]);
      const closed = JSON.parse(json.stderr.trimEnd().split("\n").at(-1)!);
      assert.equal(closed.event, "closed", json.stderr);
      assert.equal(closed.reason, "no FIN within 1000 ms of its last message or ours");
    } finally {
      await server.kill();
    }
  });
});

describe("client.ts --count over a connection the server closes", () => {
  test("client.ts --count says the server closed the connection after 2 replies, exit 1", {
    skip: noPython,
  }, async () => {
    const { server, port } = await startStudent("two-pings");
    try {
      const result = await client(port, ["--count", "4", "--interval", "0"]);
      const lines = result.stdout.trimEnd().split("\n");
      assert.match(lines[0]!, /^7 bytes from 127\.0\.0\.1:\d+: seq=1 time=/);
      assert.match(lines[1]!, /^7 bytes from 127\.0\.0\.1:\d+: seq=2 time=/);
      assert.equal(lines[2], `--- 127.0.0.1:${port} tcp ping statistics ---`);
      assert.equal(
        lines[3],
        "3 sent, 2 received; the server closed the connection after 2 replies",
      );
      assert.match(lines[4]!, /^rtt min\/avg\/max\/mdev = /);
      assert.equal(lines.length, 5, result.stdout);
      assert.ok(!result.stdout.includes("loss"), result.stdout);
      assert.match(
        result.stderr,
        new RegExp(
          `client\\.ts: 127\\.0\\.0\\.1:${port}: the server closed the connection after 2 replies`,
        ),
      );
      assert.equal(result.code, 1);
    } finally {
      await server.kill();
    }
  });
});
