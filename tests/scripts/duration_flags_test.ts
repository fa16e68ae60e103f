// Durations on every script (issue 15 item 6): units everywhere, and a bare
// number means seconds on client.ts, udp.ts and server.ts alike.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { durationFlag, formatDuration, parseDuration } from "../../src/cli/duration.ts";
import { UsageError } from "../../src/errors/usage_error.ts";
import { connect } from "../../src/tcp/tcp_client.ts";
import { serve, type Server } from "../../src/tcp/tcp_server.ts";
import { bindUdp, serveUdp, type UdpEndpoint } from "../../src/udp/udp_endpoint.ts";
import { runScript, startServer } from "../helpers/scripts.ts";

const FORMS = "must be a duration such as 500ms, 2s or 1.5 (seconds)";

/** A UDP port where nothing listens: bound, noted, closed. */
async function deadUdpPort(): Promise<number> {
  const socket = await bindUdp({ host: "127.0.0.1" });
  const { port } = socket.localAddress;
  await socket.close();
  return port;
}

/**
 * A UDP port that reads and never answers, for `body`: a closed port draws an
 * ICMP port unreachable, and Bun's client stops at that instead of timing out.
 */
async function withSilentUdpPort<T>(body: (port: number) => Promise<T>): Promise<T> {
  const socket = await bindUdp({ host: "127.0.0.1" });
  try {
    return await body(socket.localAddress.port);
  } finally {
    await socket.close();
  }
}

describe("parseDuration", () => {
  test("parseDuration reads ms, s, m and h", () => {
    assert.equal(parseDuration("500ms"), 500);
    assert.equal(parseDuration("2s"), 2000);
    assert.equal(parseDuration("1m"), 60_000);
    assert.equal(parseDuration("1h"), 3_600_000);
    assert.equal(parseDuration("0ms"), 0);
  });

  test("parseDuration reads a bare number as seconds, fractions included", () => {
    assert.equal(parseDuration("1"), 1000);
    assert.equal(parseDuration("1.5"), 1500);
    assert.equal(parseDuration("0.2"), 200);
    assert.equal(parseDuration(".5"), 500);
    assert.equal(parseDuration("0"), 0);
    assert.equal(parseDuration("1.5s"), 1500);
    assert.equal(parseDuration("0.5m"), 30_000);
    assert.equal(parseDuration("2.5ms"), 2.5);
  });

  test("parseDuration rejects what is not a duration", () => {
    for (
      const text of [
        "",
        " ",
        "abc",
        "ms",
        "-1",
        "+1",
        "1x",
        "1 s",
        "1S",
        "1e3",
        "1.5.2",
        "Infinity",
        "NaN",
        "0x10",
        "250us",
        "1d",
      ]
    ) {
      assert.equal(parseDuration(text), undefined, JSON.stringify(text));
    }
  });
});

describe("formatDuration", () => {
  test("formatDuration picks the largest whole unit", () => {
    assert.equal(formatDuration(0), "0");
    assert.equal(formatDuration(1), "1ms");
    assert.equal(formatDuration(100), "100ms");
    assert.equal(formatDuration(1500), "1500ms");
    assert.equal(formatDuration(2000), "2s");
    assert.equal(formatDuration(90_000), "90s");
    assert.equal(formatDuration(120_000), "2m");
    assert.equal(formatDuration(3_600_000), "1h");
    assert.equal(formatDuration(86_400_000), "24h");
  });
});

describe("durationFlag", () => {
  test("durationFlag returns whole milliseconds", () => {
    assert.equal(durationFlag("interval", "0.2", 0, 3_600_000), 200);
    assert.equal(durationFlag("interval", "200ms", 0, 3_600_000), 200);
    assert.equal(durationFlag("interval", "0.0004", 0, 3_600_000), 0);
    assert.equal(durationFlag("timeout", "2.5ms", 1, 3_600_000), 3);
    assert.equal(durationFlag("timeout", "1h", 1, 3_600_000), 3_600_000);
  });

  test("durationFlag enforces the range, both ends included", () => {
    assert.equal(durationFlag("time", "100ms", 100, 86_400_000), 100);
    assert.equal(durationFlag("time", "24h", 100, 86_400_000), 86_400_000);
    assert.throws(
      () => durationFlag("time", "99ms", 100, 86_400_000),
      new UsageError(`--time ${FORMS}, from 100ms to 24h, got '99ms'`),
    );
    assert.throws(
      () => durationFlag("interval", "61m", 0, 3_600_000),
      new UsageError(`--interval ${FORMS}, from 0 to 1h, got '61m'`),
    );
  });

  test("durationFlag names the flag, the forms, the range and the value", () => {
    assert.throws(
      () => durationFlag("interval", "abc", 0, 3_600_000),
      new UsageError(`--interval ${FORMS}, from 0 to 1h, got 'abc'`),
    );
    assert.throws(
      () => durationFlag("timeout", "1\x1b[2J", 1, 3_600_000),
      new UsageError(`--timeout ${FORMS}, from 1ms to 1h, got '1\\x1b[2J'`),
    );
  });
});

describe("udp.ts durations", () => {
  let echo: UdpEndpoint;
  before(async () => {
    echo = await serveUdp({ host: "127.0.0.1" }, (message) => message.bytes);
  });
  after(async () => {
    await echo.close();
  });

  for (const interval of ["0.2", "200ms", "0.2s"]) {
    test(`udp.ts ping --interval ${interval} means 200 ms`, async () => {
      const result = await runScript("udp.ts", [
        "ping",
        "--port",
        `${echo.localAddress.port}`,
        "--count",
        "1",
        "--interval",
        interval,
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /UDP PING 127\.0\.0\.1:\d+: 1 probe, one every 200 ms\n/);
    });
  }

  test("udp.ts ping --timeout 0.3 waits 0.3 s, not 0.3 ms", async () => {
    const result = await runScript("udp.ts", [
      "ping",
      "--port",
      `${await deadUdpPort()}`,
      "--count",
      "1",
      "--timeout",
      "0.3",
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^no reply to seq=1 within 300 ms$/m);
  });

  for (const timeout of ["0.25", "250ms"]) {
    test(`udp.ts client --timeout ${timeout} means 250 ms`, async () => {
      const result = await withSilentUdpPort((port) =>
        runScript("udp.ts", [
          "client",
          "--port",
          `${port}`,
          "--retries",
          "0",
          "--timeout",
          timeout,
          "anyone",
        ])
      );
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /after 1 try of 250 ms/);
    });
  }

  test("udp.ts bench --time 300ms sends for 0.3 s", async () => {
    const result = await runScript("udp.ts", [
      "bench",
      "--port",
      `${echo.localAddress.port}`,
      "--rate",
      "1M",
      "--time",
      "300ms",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^bench: .* for 0\.3 s\b/m);
  });
});

describe("client.ts durations", () => {
  let echo: Server;
  let silent: Server;
  before(async () => {
    echo = await serve({ port: 0 }, (message) => message.bytes);
    silent = await serve({ port: 0 }, () => undefined);
  });
  after(async () => {
    await echo.close();
    await silent.close();
  });

  for (const interval of ["0.2", "200ms"]) {
    test(`client.ts --count --interval ${interval} means 200 ms`, async () => {
      const result = await runScript("client.ts", [
        "--port",
        `${echo.address.port}`,
        "--count",
        "1",
        "--interval",
        interval,
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /: 1 probe, 200 ms apart\n/);
    });
  }

  test("client.ts --timeout 500ms gives up on a silent server after 0.5 s", async () => {
    const result = await runScript("client.ts", [
      "--port",
      `${silent.address.port}`,
      "--timeout",
      "500ms",
      "anyone there?",
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /no reply to 'anyone there\?' within 0\.5 s/);
  });

  test("client.ts --bench 300ms streams for 0.3 s", async () => {
    const result = await runScript("client.ts", [
      "--port",
      `${echo.address.port}`,
      "--bench",
      "300ms",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^bench: .* for 0\.3 s\b/m);
  });
});

describe("server.ts durations", () => {
  test("server.ts --idle-timeout 300ms closes a silent client after 0.3 s", async () => {
    const { server, port } = await startServer("server.ts", [
      "--port",
      "0",
      "--idle-timeout",
      "300ms",
    ]);
    let client: Awaited<ReturnType<typeof connect>> | undefined;
    try {
      client = await connect({ port });
      const notice = await client.receive(10_000);
      assert.equal(notice?.text, "error: idle for 0.3 s without a complete message; closing");
    } finally {
      await client?.close();
      await server.kill();
    }
  });
});

describe("duration usage errors", () => {
  const cases: [string, string[], string][] = [
    ["client.ts", ["--timeout", "2x", "hi"], `--timeout ${FORMS}, from 1ms to 24h, got '2x'`],
    [
      "client.ts",
      ["--count", "2", "--interval", "fast"],
      `--interval ${FORMS}, from 0 to 1h, got 'fast'`,
    ],
    ["client.ts", ["--bench", "50ms"], `--bench ${FORMS}, from 100ms to 24h, got '50ms'`],
    ["udp.ts", ["ping", "--interval", "abc"], `--interval ${FORMS}, from 1ms to 1h, got 'abc'`],
    ["udp.ts", ["ping", "--timeout", "2h"], `--timeout ${FORMS}, from 1ms to 1h, got '2h'`],
    ["udp.ts", ["client", "--timeout", "0", "hi"], `--timeout ${FORMS}, from 1ms to 1h, got '0'`],
    ["udp.ts", ["bench", "--time", "25h"], `--time ${FORMS}, from 100ms to 24h, got '25h'`],
    [
      "server.ts",
      ["--idle-timeout", "5ms"],
      `--idle-timeout ${FORMS}, from 10ms to 24h, got '5ms'`,
    ],
  ];
  for (const [script, args, message] of cases) {
    test(`${script} ${args.join(" ")} is a one-line usage error (exit 2)`, async () => {
      const result = await runScript(script, args);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, "");
      assert.equal(result.stderr, `${script}: ${message} (see ${script} --help)\n`);
    });
  }
});
