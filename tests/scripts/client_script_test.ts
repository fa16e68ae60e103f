// client.ts as a subprocess, on the runtime running the tests, against library
// servers in this process (so the test controls exactly what the server does)
// and against server.ts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { serve, type Server } from "../../src/tcp/tcp_server.ts";
import { type RunningScript, runScript, startScript, startServer } from "../helpers/scripts.ts";

describe("client.ts against library servers", () => {
  let echo: Server;
  let silent: Server;
  let hostile: Server;
  before(async () => {
    echo = await serve({ port: 0 }, (message) => message.bytes);
    silent = await serve({ port: 0 }, () => undefined);
    // Escape sequences, a bell and a carriage return: what a hostile peer sends to take over a terminal.
    hostile = await serve({ port: 0 }, () => "\x1b[2J\x1b]0;owned\x07boom\rX");
  });
  after(async () => {
    await echo.close();
    await silent.close();
    await hostile.close();
  });

  test("client.ts MESSAGE... prints each reply on its own line and exits 0", async () => {
    const result = await runScript("client.ts", [
      "--port",
      String(echo.address.port),
      "hello",
      "second message",
      "",
    ]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "hello\nsecond message\n\n");
    assert.equal(result.stderr, "");
  });

  test("client.ts shows control characters from the wire escaped", async () => {
    const result = await runScript("client.ts", ["--port", String(hostile.address.port), "hi"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "\\x1b[2J\\x1b]0;owned\\x07boom\\x0dX\n");
  });

  test("client.ts fails with exit 1 when a reply does not come within --timeout", async () => {
    const result = await runScript("client.ts", [
      "--port",
      String(silent.address.port),
      "--timeout",
      "0.3",
      "anyone there?",
    ]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      new RegExp(
        `^client\\.ts: error receiving from 127\\.0\\.0\\.1:${silent.address.port}: no reply to 'anyone there\\?' within 0\\.3 s[^\\n]*\\n$`,
      ),
    );
  });

  test("client.ts reports a refused connection with exit 1", async () => {
    const closed = await serve({ port: 0 }, () => undefined);
    const port = closed.address.port;
    await closed.close();
    const result = await runScript("client.ts", ["--port", String(port), "hello"]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `client.ts: cannot connect to 127.0.0.1:${port}: connection refused (is the server running? is the port right? a firewall that rejects looks the same)\n`,
    );
  });

  test("client.ts --count pings over one connection and prints ping's summary", async () => {
    const port = echo.address.port;
    const connectionsBefore = echo.stats.connections;
    const result = await runScript("client.ts", [
      "--port",
      String(port),
      "--count",
      "3",
      "--interval",
      "20ms",
    ]);
    assert.equal(result.code, 0);
    const lines = result.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 6, result.stdout);
    for (const [i, line] of lines.slice(0, 3).entries()) {
      assert.match(
        line,
        new RegExp(`^7 bytes from 127\\.0\\.0\\.1:${port}: seq=${i + 1} time=\\d+\\.\\d{3} ms$`),
      );
    }
    assert.equal(lines[3], `--- 127.0.0.1:${port} tcp ping statistics ---`);
    assert.equal(lines[4], "3 sent, 3 received, 0% loss");
    assert.match(lines[5]!, /^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms$/);
    assert.equal(echo.stats.connections, connectionsBefore + 1);
  });

  test("client.ts --count exits 1 with 100% loss when nothing comes back", async () => {
    const port = silent.address.port;
    const result = await runScript("client.ts", [
      "--port",
      String(port),
      "--count",
      "2",
      "--interval",
      "0",
      "--timeout",
      "0.2",
    ]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stdout,
      `no reply from 127.0.0.1:${port}: seq=1 within 0.2 s\nno reply from 127.0.0.1:${port}: seq=2 within 0.2 s\n--- 127.0.0.1:${port} tcp ping statistics ---\n2 sent, 0 received, 100% loss\n`,
    );
    assert.match(result.stderr, /client\.ts: no replies from 127\.0\.0\.1:\d+ /);
  });

  test("client.ts --framing length sends and receives length-prefixed messages", async () => {
    const server = await serve(
      { port: 0, framing: "length" },
      (message) => `${message.size} bytes`,
    );
    try {
      const result = await runScript("client.ts", [
        "--port",
        String(server.address.port),
        "--framing",
        "length",
        "hello",
      ]);
      assert.equal(result.code, 0);
      assert.equal(result.stdout, "5 bytes\n");
    } finally {
      await server.close();
    }
  });

  test("client.ts -v narrates the connection on stderr only", async () => {
    const port = echo.address.port;
    const result = await runScript("client.ts", ["-v", "--port", String(port), "hi"]);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "hi\n");
    assert.match(
      result.stderr,
      new RegExp(
        `^\\[[\\d:.]+\\] tcp 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${port} {2}connected`,
      ),
    );
    // The narration: the request out, the reply in, with byte and message counts.
    assert.match(result.stderr, /-> 127\.0\.0\.1:\d+ {2}wrote 3 bytes \(1 message\)/);
    assert.match(result.stderr, /<- 127\.0\.0\.1:\d+ {2}read 3 bytes, 1 message complete/);
  });

  test("client.ts without messages exits 0 when the server closes first", async () => {
    const server = await serve({
      port: 0,
      onConnect(client) {
        client.send("welcome and goodbye");
        void client.close();
      },
    }, () => undefined);
    const client = startScript("client.ts", ["--port", String(server.address.port)]);
    try {
      // stdin stays open: the client must notice the server left on its own.
      const result = await client.exited;
      assert.equal(result.code, 0);
      assert.equal(result.stdout, "welcome and goodbye\n");
      assert.match(result.stderr, /127\.0\.0\.1:\d+ closed the connection/);
    } finally {
      await client.kill();
      await server.close();
    }
  });
});

describe("client.ts against server.ts", () => {
  let server: RunningScript;
  let port: number;
  before(
    async () => ({ server, port } = await startServer("server.ts", [
      "--port",
      "0",
      "--mode",
      "upper",
    ])),
  );
  after(async () => await server.kill());

  test("client.ts < input gets every reply, in order, after its half-close", async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `request ${i} ${"z".repeat(i % 70)}`);
    const result = await runScript("client.ts", ["--port", String(port)], {
      input: `${lines.join("\n")}\n`,
    });
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${lines.map((line) => line.toUpperCase()).join("\n")}\n`);
    assert.equal(result.stderr, "");
  });

  test("client.ts sends a last line that has no newline", async () => {
    const result = await runScript("client.ts", ["--port", String(port)], {
      input: "one\r\ntwo",
    });
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "ONE\nTWO\n");
  });
});

describe("client.ts in a chat", () => {
  test("client.ts chats full duplex with other client.ts processes", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "--mode", "chat"]);
    const ani = startScript("client.ts", ["--port", String(port)]);
    let budi: RunningScript | undefined;
    try {
      await ani.waitFor(/you are guest-1;/);
      ani.write("/nick ani\n");
      await ani.waitFor(/\* you are now ani\n/);
      budi = startScript("client.ts", ["--port", String(port)]);
      await budi.waitFor(/you are guest-2;/);
      await ani.waitFor(/\* guest-2 joined from 127\.0\.0\.1:\d+\n/);
      ani.write("hello \x1b[31mbudi\n");
      await budi.waitFor(/<ani> hello \\x1b\[31mbudi\n/);
      budi.write("hi ani\n");
      await ani.waitFor(/<guest-2> hi ani\n/);
      // End of input: budi half-closes, the server closes, budi exits cleanly.
      budi.endInput();
      const left = await budi.exited;
      assert.equal(left.code, 0);
      await ani.waitFor(/\* guest-2 left\n/);
      ani.write("/quit\n");
      const quit = await ani.exited;
      assert.equal(quit.code, 0);
      assert.match(
        quit.stdout,
        /\* bye \(connection closed; nc and ncat: press Ctrl-D to exit\)\n$/,
      );
      assert.ok(!(quit.stdout + left.stdout).includes("\x1b"), "a raw escape reached a terminal");
    } finally {
      await ani.kill();
      await budi?.kill();
      await server.kill();
    }
  });
});

describe("client.ts flags", () => {
  test("client.ts -h prints help with examples on stdout and exits 0", async () => {
    const result = await runScript("client.ts", ["--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: client\.ts/);
    assert.match(result.stdout, /--port PORT .*default 9000/);
    assert.match(result.stdout, /--timeout TIME[^]*default 5s\)/);
    assert.match(result.stdout, /--count N/);
    assert.match(result.stdout, /Examples:\n.*client\.ts/);
    assert.equal(result.stderr, "");
  });

  for (
    const [args, message] of [
      [["--port", "0"], "--port must be an integer from 1 to 65535, got '0'"],
      [
        ["--timeout", "0"],
        "--timeout must be a duration such as 500ms, 2s or 1.5 (seconds), from 1ms to 24h, got '0'",
      ],
      [
        ["--timeout", "soon"],
        "--timeout must be a duration such as 500ms, 2s or 1.5 (seconds), from 1ms to 24h, got 'soon'",
      ],
      [["--count", "0"], "--count must be an integer from 1 to 1000000, got '0'"],
      [
        ["--count", "2", "--interval=-5"],
        "--interval must be a duration such as 500ms, 2s or 1.5 (seconds), from 0 to 1h, got '-5'",
      ],
      [
        ["--count", "2", "hello"],
        "--count sends its own probes: give --count or messages, not both",
      ],
      [["--interval", "10"], "--interval only applies with --count"],
      [["--framing", "json"], "--framing must be one of line, length, got 'json'"],
      [["--nope"], "unknown flag --nope"],
      [
        ["ok", "two\nlines"],
        "MESSAGE 2 'two\\x0alines' cannot be sent: a line message cannot contain a newline or end in CR (use --framing length for binary data)",
      ],
    ] as const
  ) {
    test(`client.ts ${JSON.stringify(args)} is a usage error (exit 2)`, async () => {
      const result = await runScript("client.ts", [...args]);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, "");
      assert.equal(result.stderr, `client.ts: ${message} (see client.ts --help)\n`);
    });
  }
});

describe("client.ts --host", () => {
  for (const args of [["--host", ""], ["--host="], ["--host", "  "]]) {
    test(`client.ts ${JSON.stringify(args)} is a one-line usage error naming --host (exit 2)`, async () => {
      const result = await runScript("client.ts", [...args, "hello"]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, "");
      const shown = args.length === 2 ? args[1] : "";
      assert.equal(
        result.stderr,
        `client.ts: --host needs an address or host name, such as 127.0.0.1, got '${shown}' (see client.ts --help)\n`,
      );
    });
  }
});

describe("client.ts --host with a port in it", () => {
  for (const address of ["127.0.0.1", "::1"]) {
    test(`client.ts --host ${address} with its port in it reaches the server there`, async () => {
      const upper = await serve(
        { host: address, port: 0 },
        (message) => message.text.toUpperCase(),
      );
      try {
        const { port } = upper.address;
        const host = address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
        const result = await runScript("client.ts", ["--host", host, "hello"]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, "HELLO\n");
        // The same port given twice is no conflict.
        const twice = await runScript("client.ts", ["--host", host, "--port", `${port}`, "hi"]);
        assert.equal(twice.code, 0, twice.stderr);
        assert.equal(twice.stdout, "HI\n");
      } finally {
        await upper.close();
      }
    });
  }

  for (
    const [args, message] of [
      [
        ["--host", "127.0.0.1:9000", "--port", "9001"],
        "--host '127.0.0.1:9000' names port 9000 but --port says 9001: give the port once",
      ],
      [
        ["--host", "[::1]:9000", "-p", "80"],
        "--host '[::1]:9000' names port 9000 but --port says 80: give the port once",
      ],
      [
        ["--host", "labpc:http"],
        "--host 'labpc:http': the port after ':' must be an integer from 1 to 65535, got 'http'",
      ],
      [
        ["--host", "10.0.0.1:0"],
        "--host '10.0.0.1:0': the port after ':' must be an integer from 1 to 65535, got '0'",
      ],
      [
        ["--host", "[::1]9000"],
        "--host '[::1]9000' is not an address: write an IPv6 address with its port as [ADDRESS]:PORT, such as [::1]:9000",
      ],
    ] as const
  ) {
    test(`client.ts ${args.join(" ")} is a usage error saying what is wrong (exit 2)`, async () => {
      const result = await runScript("client.ts", [...args, "hello"]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, "");
      assert.equal(result.stderr, `client.ts: ${message} (see client.ts --help)\n`);
    });
  }
});
