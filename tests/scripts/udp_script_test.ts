// udp.ts through the real script, on the runtime running the tests.
import assert from "node:assert/strict";
import process from "node:process";
import { describe, test } from "node:test";
import { detectRuntime } from "../../src/net/runtime.ts";
import { connect } from "../../src/tcp/tcp_client.ts";
import { bindUdp, serveUdp, type UdpEndpoint } from "../../src/udp/udp_endpoint.ts";
import { type RunningScript, runScript, startScript, startServer } from "../helpers/scripts.ts";

const utf8 = new TextEncoder();

/** A UDP port where nothing listens: bound, noted, closed. */
async function deadPort(host = "127.0.0.1"): Promise<number> {
  const socket = await bindUdp({ host });
  const { port } = socket.localAddress;
  await socket.close();
  return port;
}

/** Sends `payload` from `socket` to the server and returns the reply's bytes. */
async function exchange(
  socket: UdpEndpoint,
  payload: string | Uint8Array,
  port: number,
): Promise<Uint8Array> {
  socket.send(payload, { hostname: "127.0.0.1", port });
  const reply = await socket.receive(3000);
  assert.ok(reply, "socket closed before a reply");
  return reply.message.bytes;
}

/** Sends SIGINT and checks the server stopped gracefully with exit 0. */
async function stopped(server: RunningScript) {
  // Not server.stop(): Deno's child.kill() makes the exit read as "killed by
  // SIGINT" even when the child handled the signal and exited 0.
  process.kill(server.child.pid!, "SIGINT");
  const result = await server.exited;
  assert.equal(result.code, 0, `server exit: ${result.stderr}`);
  return result;
}

describe("udp.ts usage", () => {
  test("udp.ts --help prints every subcommand and examples on stdout", async () => {
    const result = await runScript("udp.ts", ["--help"]);
    assert.equal(result.code, 0);
    for (const text of ["udp.ts server", "udp.ts client", "udp.ts ping", "--retries", "Examples"]) {
      assert.ok(result.stdout.includes(text), `help lacks ${text}`);
    }
    const sub = await runScript("udp.ts", ["ping", "-h"]);
    assert.equal(sub.code, 0);
    assert.ok(sub.stdout.includes("--interval"));
  });

  test("udp.ts usage errors name the flag and value and exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["server", "--port", "70000"], /--port .*70000/],
      [["client", "--retries=-1"], /--retries .*-1/],
      [["server", "--mode", "lower"], /--mode .*echo, upper.*lower/],
      [["launch"], /unknown command 'launch'/],
      [[], /missing command/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runScript("udp.ts", args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
  });
});

describe("udp.ts server and client", () => {
  test("udp.ts client prints one reply per message; the server logs peers and tables them at SIGINT", async () => {
    const { server, port } = await startServer("udp.ts", ["server", "--port", "0", "-v"]);
    try {
      assert.match(server.stdout, new RegExp(`^listening on udp://127\\.0\\.0\\.1:${port}\n`));
      const result = await runScript("udp.ts", ["client", "--port", `${port}`, "hello", "wörld"]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "hello\nwörld\n");
      await server.waitFor(/127\.0\.0\.1:\d+: 6 bytes/, { stream: "stderr" });
      const { stderr } = await stopped(server);
      assert.match(stderr, /stopped: 2 datagrams, 11 bytes from 1 peer\n/);
      assert.match(stderr, /peer\s+datagrams\s+bytes\s+first seen\s+last seen/);
      assert.match(stderr, /127\.0\.0\.1:\d+\s+2\s+11\s+\d\d:\d\d:\d\d\.\d{3}\s+\d\d:\d\d/);
    } finally {
      await server.kill();
    }
  });

  test("udp.ts client without messages sends stdin lines in order and exits 0 when all are answered", async () => {
    const { server, port } = await startServer("udp.ts", ["server", "--port", "0"]);
    try {
      const input = "one\ntwo\n\nthree\nfour";
      const result = await runScript("udp.ts", ["client", "--port", `${port}`], { input });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "one\ntwo\n\nthree\nfour\n");
    } finally {
      await server.kill();
    }
  });

  test("udp.ts server --mode upper survives empty, non-UTF-8 and oversized datagrams", async () => {
    const { server, port } = await startServer("udp.ts", [
      "server",
      "--port",
      "0",
      "--mode",
      "upper",
      "--max-datagram",
      "16",
    ]);
    const socket = await bindUdp({});
    try {
      assert.deepEqual(await exchange(socket, new Uint8Array(0), port), new Uint8Array(0));
      // Not UTF-8: answered with an error datagram, as server.ts upper answers with an error
      // line, cut to --max-datagram.
      assert.equal(
        new TextDecoder().decode(await exchange(socket, new Uint8Array([0xff, 0x61, 0xc3]), port)),
        "error: message o",
      );
      socket.send("x".repeat(17), { hostname: "127.0.0.1", port });
      // 16 bytes in, 24 out: "ŉ" is two bytes, its upper case "ʼN" three.
      socket.send("ŉ".repeat(8), { hostname: "127.0.0.1", port });
      await assert.rejects(socket.receive(300), { code: "TIMED_OUT" });
      assert.deepEqual(await exchange(socket, "still here é", port), utf8.encode("STILL HERE É"));
      const { stderr } = await stopped(server);
      assert.match(stderr, /1 empty, 1 over --max-datagram \(not answered\), 1 not UTF-8 text/);
      assert.match(stderr, /1 other errors \(a reply too large/);
      assert.match(stderr, /stopped: 5 datagrams/);
    } finally {
      await socket.close();
      await server.kill();
    }
  });

  test("udp.ts server outlives clients that leave before their reply", async () => {
    const { server, port } = await startServer("udp.ts", ["server", "--port", "0"]);
    try {
      for (let i = 0; i < 5; i++) {
        const leaver = await bindUdp({});
        leaver.send("bye", { hostname: "127.0.0.1", port });
        await leaver.close();
      }
      // Time for the replies to bounce off the closed ports as ICMP port unreachable.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const socket = await bindUdp({});
      try {
        assert.equal(new TextDecoder().decode(await exchange(socket, "anyone?", port)), "anyone?");
      } finally {
        await socket.close();
      }
      const { stderr } = await stopped(server);
      assert.match(stderr, /stopped: 6 datagrams/);
      // Only Bun reports the ICMP errors (and would exit on them without a handler).
      if (detectRuntime() === "bun") assert.match(stderr, /ICMP port unreachable/);
    } finally {
      await server.kill();
    }
  });

  test("udp.ts server answers many concurrent clients each on their own", async () => {
    const { server, port } = await startServer("udp.ts", ["server", "--port", "0"]);
    const sockets = await Promise.all(Array.from({ length: 20 }, () => bindUdp({})));
    try {
      const scripts = Array.from(
        { length: 3 },
        (_, i) =>
          runScript("udp.ts", ["client", "--port", `${port}`, `script-${i}-a`, `script-${i}-b`]),
      );
      const replies = sockets.map(async (socket, i) => {
        const got: string[] = [];
        for (let round = 0; round < 3; round++) {
          got.push(new TextDecoder().decode(await exchange(socket, `lib-${i}-${round}`, port)));
        }
        return got;
      });
      for (const [i, got] of (await Promise.all(replies)).entries()) {
        assert.deepEqual(got, [`lib-${i}-0`, `lib-${i}-1`, `lib-${i}-2`]);
      }
      for (const [i, result] of (await Promise.all(scripts)).entries()) {
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, `script-${i}-a\nscript-${i}-b\n`);
      }
      const { stderr } = await stopped(server);
      assert.match(stderr, /stopped: 66 datagrams, \d+ bytes from 23 peers/);
    } finally {
      await Promise.all(sockets.map((socket) => socket.close()));
      await server.kill();
    }
  });

  test("udp.ts works over IPv6 ::1", async () => {
    const { server, port } = await startServer("udp.ts", [
      "server",
      "--host",
      "::1",
      "--port",
      "0",
    ]);
    try {
      assert.match(server.stdout, new RegExp(`^listening on udp://\\[::1\\]:${port}\n`));
      const client = await runScript("udp.ts", [
        "client",
        "--host",
        "::1",
        "--port",
        `${port}`,
        "v6",
      ]);
      assert.equal(client.code, 0, client.stderr);
      assert.equal(client.stdout, "v6\n");
      const ping = await runScript("udp.ts", [
        "ping",
        "--host",
        "::1",
        "--port",
        `${port}`,
        "--count",
        "2",
        "--interval",
        "50ms",
      ]);
      assert.equal(ping.code, 0, ping.stderr);
      assert.match(ping.stdout, /2 sent, 2 received, 0% loss/);
      const { stderr } = await stopped(server);
      assert.match(stderr, /\[::1\]:\d+\s+1\s+2\s/);
    } finally {
      await server.kill();
    }
  });

  test("udp.ts server reports a port in use and exits 1", async () => {
    const taken = await bindUdp({});
    try {
      const result = await runScript("udp.ts", ["server", "--port", `${taken.localAddress.port}`]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /cannot bind 127\.0\.0\.1:\d+: address already in use/);
    } finally {
      await taken.close();
    }
  });
});

describe("udp.ts limits and silence", () => {
  test("udp.ts client refuses a datagram over the IPv4 limit before sending anything", async () => {
    const listener = await bindUdp({});
    try {
      const port = `${listener.localAddress.port}`;
      const big = "a".repeat(65508);
      const result = await runScript("udp.ts", ["client", "--port", port, "first", big]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /65508 bytes is over the limit of 65507 bytes .* not sent/);
      assert.equal(result.stdout, "");
      // Not even the small message that came first went out.
      await assert.rejects(listener.receive(200), { code: "TIMED_OUT" });
    } finally {
      await listener.close();
    }
  });

  test("udp.ts client from stdin skips an oversized line, sends the rest and exits 1", async () => {
    const echo = await serveUdp({}, (message) => message.bytes);
    try {
      const input = `small\n${"b".repeat(65508)}\nafter\n`;
      const port = `${echo.localAddress.port}`;
      const result = await runScript("udp.ts", ["client", "--port", port], { input });
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "small\nafter\n");
      assert.match(result.stderr, /65508 bytes is over the limit/);
    } finally {
      await echo.close();
    }
  });

  test("udp.ts client retries, then says UDP cannot tell whether the server is up", async () => {
    // A socket that reads and never answers: a closed port would draw an ICMP answer, which Bun hears.
    const silent = await bindUdp({ host: "127.0.0.1" });
    const port = `${silent.localAddress.port}`;
    try {
      await retriesThenSilence(port);
    } finally {
      await silent.close();
    }
  });

  async function retriesThenSilence(port: string): Promise<void> {
    const result = await runScript("udp.ts", [
      "client",
      "--port",
      port,
      "--timeout",
      "200ms",
      "--retries",
      "1",
      "anyone",
    ]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /sending again \(try 2 of 2\)/);
    assert.match(result.stderr, /no reply from 127\.0\.0\.1:\d+ after 2 tries of 200 ms/);
    assert.match(result.stderr, /cannot tell whether the server is up/);
    const piped = await runScript("udp.ts", ["client", "--port", port, "--timeout", "200ms"], {
      input: "a\nb\n",
    });
    assert.equal(piped.code, 1);
    assert.match(piped.stderr, /no reply from .* to 2 datagrams; .*cannot tell/);
  }

  test("udp.ts client exits 1 when only some stdin datagrams are answered", async () => {
    let seen = 0;
    // Answers every other datagram, as a lossy network would.
    const lossy = await serveUdp({}, (message) => (seen++ % 2 === 0 ? message.bytes : undefined));
    try {
      const port = `${lossy.localAddress.port}`;
      const result = await runScript("udp.ts", ["client", "--port", port, "--timeout", "300ms"], {
        input: "1\n2\n3\n4\n",
      });
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "1\n3\n");
      assert.match(result.stderr, /2 of 4 datagrams got no reply/);
    } finally {
      await lossy.close();
    }
  });

  test("udp.ts ping reports replies and rtt from an echo server, 100% loss from nowhere", async () => {
    const { server, port } = await startServer("udp.ts", ["server", "--port", "0"]);
    try {
      const args = ["ping", "--count", "3", "--interval", "50ms", "--timeout", "300ms"];
      const ok = await runScript("udp.ts", [...args, "--port", `${port}`]);
      assert.equal(ok.code, 0, ok.stderr);
      for (const seq of [1, 2, 3]) {
        assert.match(ok.stdout, new RegExp(`bytes from 127\\.0\\.0\\.1:${port}: seq=${seq} time=`));
      }
      assert.match(ok.stdout, /3 sent, 3 received, 0% loss, 0 duplicates, 0 reordered/);
      assert.match(ok.stdout, /rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms/);
      const lost = await runScript("udp.ts", [...args, "--port", `${await deadPort()}`]);
      assert.equal(lost.code, 1);
      assert.match(lost.stdout, /no reply to seq=3 within 300 ms/);
      assert.match(lost.stdout, /3 sent, 0 received, 100% loss/);
      assert.doesNotMatch(lost.stdout, /rtt min/);
      assert.match(lost.stderr, /cannot tell whether the server is up/);
    } finally {
      await server.kill();
    }
  });

  test("udp.ts ping stops at SIGINT and still prints the summary", async () => {
    const { server, port } = await startServer("udp.ts", ["server", "--port", "0"]);
    const ping = startScript("udp.ts", ["ping", "--port", `${port}`, "-c", "1000", "-i", "50ms"]);
    try {
      await ping.waitFor(/seq=2 time=/);
      process.kill(ping.child.pid!, "SIGINT");
      const result = await ping.exited;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /--- 127\.0\.0\.1:\d+ udp ping statistics ---/);
      assert.match(result.stdout, /(\d+) sent, \d+ received/);
      assert.ok(Number(/(\d+) sent/.exec(result.stdout)![1]) < 1000);
    } finally {
      await ping.kill();
      await server.kill();
    }
  });

  test("udp.ts ping counts duplicates and ignores replies that are not probes", async () => {
    // Answers each probe twice, then with junk.
    const doubler = await bindUdp({
      onDatagram({ message, from }, endpoint) {
        endpoint.send(message.bytes, from);
        endpoint.send(message.bytes, from);
        endpoint.send("junk", from);
      },
    });
    try {
      const result = await runScript("udp.ts", [
        "ping",
        "--port",
        `${doubler.localAddress.port}`,
        "--count",
        "2",
        "--interval",
        "100ms",
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /seq=1 time=[\d.]+ ms \(DUP!\)/);
      assert.match(result.stdout, /2 sent, 2 received, 0% loss, \d duplicates/);
      assert.match(result.stdout, /not a ping probe: junk/);
    } finally {
      await doubler.close();
    }
  });
});

describe("udp.ts server modes", () => {
  test("udp.ts server --mode chat is a usage error that points to server.ts", async () => {
    const result = await runScript("udp.ts", ["server", "--mode", "chat"]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /--mode must be one of echo, upper, discard, chargen, got 'chat' \(chat needs TCP connections: use server\.ts --mode chat\)/,
    );
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  });

  test("udp.ts server --mode upper answers like server.ts --mode upper, error for non-UTF-8 included", async () => {
    const udp = await startServer("udp.ts", ["server", "--port", "0", "--mode", "upper"]);
    const tcp = await startServer("server.ts", ["--port", "0", "--mode", "upper"]);
    const socket = await bindUdp({});
    const connection = await connect({ host: "127.0.0.1", port: tcp.port });
    try {
      for (const payload of ["hello wörld ŉ", new Uint8Array([0x66, 0xff, 0xfe])]) {
        connection.send(payload);
        const overTcp = (await connection.receive(3000))?.text;
        const overUdp = new TextDecoder().decode(await exchange(socket, payload, udp.port));
        assert.equal(overUdp, overTcp);
      }
      assert.equal(
        new TextDecoder().decode(
          await exchange(socket, new Uint8Array([0x66, 0xff, 0xfe]), udp.port),
        ),
        "error: message of 3 bytes is not valid UTF-8 text",
      );
      const { stderr } = await stopped(udp.server);
      assert.match(
        stderr,
        /127\.0\.0\.1:\d+: message of 3 bytes is not valid UTF-8 text; answered with an error/,
      );
      assert.match(stderr, /stopped: 3 datagrams, .*; 2 not UTF-8 text\n/);
    } finally {
      connection.close();
      await connection.closed;
      await socket.close();
      await Promise.all([udp.server.kill(), tcp.server.kill()]);
    }
  });
});
