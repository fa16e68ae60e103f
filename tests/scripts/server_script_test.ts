// server.ts as a subprocess, on the runtime running the tests; clients are the library's.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { FramingName } from "../../src/framing/mod.ts";
import { connect, type Connection } from "../../src/tcp/tcp_client.ts";
import { type RunningScript, runScript, startServer } from "../helpers/scripts.ts";

const REPLY_TIMEOUT_MS = 5000;

async function open(port: number, framing: FramingName = "line"): Promise<Connection> {
  return await connect({ host: "127.0.0.1", port, framing });
}

async function closeAll(...connections: Connection[]): Promise<void> {
  for (const connection of connections) {
    connection.close();
    await connection.closed;
  }
}

/** The next message as text, or null when the server closed. */
async function next(connection: Connection): Promise<string | null> {
  const message = await connection.receive(REPLY_TIMEOUT_MS);
  return message === null ? null : message.text;
}

/** Every message until the server closes. */
async function rest(connection: Connection): Promise<string[]> {
  const texts: string[] = [];
  for (;;) {
    const text = await next(connection);
    if (text === null) return texts;
    texts.push(text);
  }
}

describe("server.ts --mode echo", () => {
  let server: RunningScript;
  let port: number;
  before(async () => ({ server, port } = await startServer("server.ts", ["--port", "0", "-v"])));
  after(async () => await server.kill());

  test("server.ts prints the real port first and echoes each message", async () => {
    assert.match(server.stdout.split("\n")[0]!, /^listening on tcp:\/\/127\.0\.0\.1:\d+$/);
    const connection = await open(port);
    try {
      connection.send("hello");
      connection.send("second message");
      assert.equal(await next(connection), "hello");
      assert.equal(await next(connection), "second message");
    } finally {
      await closeAll(connection);
    }
  });

  test("server.ts answers everything sent before a half-close, in order, then closes", async () => {
    const connection = await open(port);
    try {
      const sent = Array.from({ length: 2000 }, (_, i) => `line ${i} ${"x".repeat(i % 50)}`);
      for (const line of sent) connection.send(line);
      await connection.end();
      assert.deepEqual(await rest(connection), sent);
    } finally {
      await closeAll(connection);
    }
  });

  test("server.ts -v logs connects and disconnects with the client's address", async () => {
    const connection = await open(port);
    const where = `127.0.0.1:${connection.localAddress.port}`;
    connection.send("ping");
    assert.equal(await next(connection), "ping");
    await closeAll(connection);
    await server.waitFor(new RegExp(`client \\d+ \\(${where}\\) connected`), { stream: "stderr" });
    await server.waitFor(new RegExp(`client \\d+ \\(${where}\\) disconnected`), {
      stream: "stderr",
    });
  });

  test("server.ts refuses a second server on the same port with exit 1", async () => {
    const result = await runScript("server.ts", ["--port", String(port)]);
    assert.equal(result.code, 1);
    // One line and no stack trace.
    assert.match(
      result.stderr,
      new RegExp(
        `^server\\.ts: cannot listen on 127\\.0\\.0\\.1:${port}: address already in use \\(.*--port[^\\n]*\\n$`,
      ),
    );
    assert.equal(result.stdout, "");
  });
});

describe("server.ts --mode upper", () => {
  let server: RunningScript;
  let port: number;
  before(async () => ({ server, port } = await startServer("server.ts", [
    "--port",
    "0",
    "--mode",
    "upper",
    "--max-frame",
    "200",
  ])));
  after(async () => await server.kill());

  test("server.ts upper answers with the upper-case form", async () => {
    const connection = await open(port);
    try {
      connection.send("hello wörld");
      assert.equal(await next(connection), "HELLO WÖRLD");
    } finally {
      await closeAll(connection);
    }
  });

  test("server.ts upper answers invalid UTF-8 with an error line and keeps the client", async () => {
    const connection = await open(port);
    try {
      connection.send(new Uint8Array([0x66, 0xff, 0xfe]));
      assert.match((await next(connection))!, /^error: .*not valid UTF-8/);
      connection.send("still here");
      assert.equal(await next(connection), "STILL HERE");
      await server.waitFor(/client \d+ \(127\.0\.0\.1:\d+\): .*not valid UTF-8/, {
        stream: "stderr",
      });
    } finally {
      await closeAll(connection);
    }
  });

  test("server.ts --max-frame: an oversized line gets an error and a hang-up, others go on", async () => {
    const bystander = await open(port);
    const offender = await open(port);
    try {
      offender.send("fine");
      assert.equal(await next(offender), "FINE");
      offender.send("y".repeat(201));
      assert.match((await next(offender))!, /^error: line of 201 bytes exceeds the limit of 200/);
      assert.equal(await next(offender), null);
      bystander.send("ok");
      assert.equal(await next(bystander), "OK");
      await server.waitFor(/client \d+ \(127\.0\.0\.1:\d+\): line of 201 bytes exceeds/, {
        stream: "stderr",
      });
    } finally {
      await closeAll(bystander, offender);
    }
  });
});

describe("server.ts --mode chat", () => {
  let server: RunningScript;
  let port: number;
  before(
    async () => ({ server, port } = await startServer("server.ts", [
      "--port",
      "0",
      "--mode",
      "chat",
    ])),
  );
  after(async () => await server.kill());

  // Each test starts once every earlier client's leave notice is out, so none reaches the next test.
  async function leaveAll(...connections: Connection[]): Promise<void> {
    await closeAll(...connections);
    const count = (pattern: RegExp) => server.stdout.match(pattern)?.length ?? 0;
    for (let waited = 0; count(/ joined from /g) !== count(/ left\n/g); waited += 20) {
      assert.ok(waited < 5000, `clients never left:\n${server.stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function join(): Promise<{ connection: Connection; name: string }> {
    const connection = await open(port);
    const welcome = (await next(connection))!;
    const name = welcome.match(/^\* welcome, you are (guest-\d+);/)?.[1];
    assert.ok(name, `unexpected welcome: ${welcome}`);
    return { connection, name };
  }

  test("server.ts chat relays, renames, lists, quits and announces between clients", async () => {
    const { connection: a, name: aName } = await join();
    const { connection: b, name: bName } = await join();
    try {
      assert.equal(await next(a), `* ${bName} joined from 127.0.0.1:${b.localAddress.port}`);

      a.send("hello \x1b[2J\x07there");
      assert.equal(await next(b), `<${aName}> hello \\x1b[2J\\x07there`);

      b.send("/nick bob");
      assert.equal(await next(b), "* you are now bob");
      assert.equal(await next(a), `* ${bName} is now bob`);

      a.send("/nick BOB");
      assert.equal(await next(a), "error: the name 'BOB' is taken, pick another");
      a.send("/nick server");
      assert.match((await next(a))!, /^error: the name 'server' is reserved/);
      a.send("/nick two words");
      assert.match((await next(a))!, /^error: a name is 1 to 24 letters/);
      a.send("/frobnicate");
      assert.match((await next(a))!, /^error: unknown command '\/frobnicate'/);

      a.send("/who");
      assert.equal(
        await next(a),
        `* 2 here besides the server: ${aName} (127.0.0.1:${a.localAddress.port}), bob (127.0.0.1:${b.localAddress.port})`,
      );

      server.write("hello from the front\n");
      assert.equal(await next(a), "<server> hello from the front");
      assert.equal(await next(b), "<server> hello from the front");

      b.send("//nick is not a command here");
      assert.equal(await next(a), "<bob> /nick is not a command here");

      a.send("/quit");
      a.send("said after quitting");
      assert.deepEqual(await rest(a), [
        "* bye (connection closed; nc and ncat: press Ctrl-D to exit)",
      ]);
      assert.equal(await next(b), `* ${aName} left`);

      // The operator sees the conversation, escaped like everyone else.
      await server.waitFor(new RegExp(`\\* ${aName} left`));
      assert.match(server.stdout, new RegExp(`<${aName}> hello \\\\x1b\\[2J\\\\x07there\n`));
      assert.match(server.stdout, /<bob> \/nick is not a command here\n/);
      assert.doesNotMatch(server.stdout, /said after quitting/);
    } finally {
      await leaveAll(a, b);
    }
  });

  test("server.ts chat announces a client that drops without /quit", async () => {
    const { connection: a } = await join();
    const { connection: b, name: bName } = await join();
    try {
      assert.match((await next(a))!, /joined from/);
      b.close();
      await b.closed;
      assert.equal(await next(a), `* ${bName} left`);
    } finally {
      await leaveAll(a, b);
    }
  });

  test("server.ts chat refuses invalid UTF-8 with an error line and relays nothing", async () => {
    const { connection: a } = await join();
    const { connection: b, name: bName } = await join();
    try {
      assert.match((await next(a))!, /joined from/);
      b.send(new Uint8Array([0xc3, 0x28]));
      assert.match((await next(b))!, /^error: .*not valid UTF-8/);
      b.send("after");
      assert.equal(await next(a), `<${bName}> after`);
    } finally {
      await leaveAll(a, b);
    }
  });
});

describe("server.ts flags", () => {
  test("server.ts -h prints help with examples on stdout and exits 0", async () => {
    const result = await runScript("server.ts", ["-h"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: server\.ts/);
    assert.match(result.stdout, /--port PORT .*default 9000/);
    assert.match(result.stdout, /--mode MODE/);
    assert.match(result.stdout, /Examples:\n.*server\.ts/);
    assert.equal(result.stderr, "");
  });

  for (
    const [args, message] of [
      [["--port", "70000"], "--port must be an integer from 0 to 65535, got '70000'"],
      [["--mode", "loud"], "--mode must be one of echo, upper, chat, discard, chargen, got 'loud'"],
      [["--framing", "xml"], "--framing must be one of line, length, got 'xml'"],
      [["--max-frame", "0"], "--max-frame must be an integer from 1 to 4294967295, got '0'"],
      [["--bogus"], "unknown flag --bogus"],
      [["extra"], "unexpected argument 'extra': this command takes flags only"],
    ] as const
  ) {
    test(`server.ts ${args.join(" ")} is a usage error (exit 2)`, async () => {
      const result = await runScript("server.ts", [...args]);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, "");
      assert.equal(result.stderr, `server.ts: ${message} (see server.ts --help)\n`);
    });
  }

  test("server.ts --framing length echoes binary payloads exactly", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "--framing", "length"]);
    const connection = await open(port, "length");
    try {
      const payload = new Uint8Array([0, 10, 13, 255, 10, 0]);
      connection.send(payload);
      connection.send(new Uint8Array(0));
      assert.deepEqual((await connection.receive(REPLY_TIMEOUT_MS))?.bytes, payload);
      assert.equal((await connection.receive(REPLY_TIMEOUT_MS))?.size, 0);
    } finally {
      await closeAll(connection);
      await server.kill();
    }
  });

  test("server.ts --host ::1 listens on IPv6 loopback", async () => {
    const { server, port } = await startServer("server.ts", ["--host", "::1", "--port", "0"]);
    const connection = await connect({ host: "::1", port });
    try {
      assert.match(server.stdout, /^listening on tcp:\/\/\[::1\]:\d+\n/);
      connection.send("six");
      assert.equal(await next(connection), "six");
    } finally {
      await closeAll(connection);
      await server.kill();
    }
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    test(`server.ts stops on ${signal}, closes clients and prints a summary`, async () => {
      const { server, port } = await startServer("server.ts", ["--port", "0"]);
      const connection = await open(port);
      try {
        connection.send("abc");
        connection.send("de");
        assert.equal(await next(connection), "abc");
        assert.equal(await next(connection), "de");
        const result = await server.stop(signal);
        assert.equal(result.code, 0);
        assert.equal(
          result.stderr,
          "server stopped: 1 connection served, 2 messages in, 2 messages out, 7 bytes in, 7 bytes out\n",
        );
        // The connected client was closed, not left hanging.
        assert.equal(await next(connection), null);
      } finally {
        await closeAll(connection);
        await server.kill();
      }
    });
  }
});

describe("server.ts --host", () => {
  // Deno listened on every interface and Bun crashed with a stack trace.
  for (const args of [["--host", ""], ["--host="], ["--host", "  "]]) {
    test(`server.ts ${JSON.stringify(args)} is a one-line usage error naming --host (exit 2)`, async () => {
      const result = await runScript("server.ts", [...args, "--port", "0"]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, "");
      const shown = args.length === 2 ? args[1] : "";
      assert.equal(
        result.stderr,
        `server.ts: --host needs an address or host name, such as 127.0.0.1, got '${shown}' (see server.ts --help)\n`,
      );
    });
  }
});
