// The throughput lab: client.ts --bench and udp.ts bench through the real
// scripts against real servers, on the runtime running the tests.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRate } from "../../src/cli/throughput/rate.ts";
import { UsageError } from "../../src/errors/usage_error.ts";
import { EchoPattern } from "../../src/measure/pattern.ts";
import { lostBetween, UdpTally } from "../../src/measure/udp_tally.ts";
import { runScript, startServer } from "../helpers/scripts.ts";

// iperf3's layout; an echo run shows what went out (TX) and what came back (RX).
const INTERVAL_LINE =
  /^\[\s+1\]\[TX\]\s+\d+\.\d\d-\d+\.\d\d\s+sec\s+[\d.]+ [KMG]?Bytes\s+[\d.]+ [KMG]?bits\/sec/;

/** Runs `script` against a server started with `serverArgs` on port 0, then stops the server. */
async function againstServer(
  serverScript: string,
  serverArgs: string[],
  script: string,
  args: (port: number) => string[],
) {
  const { server, port } = await startServer(serverScript, [...serverArgs, "--port", "0"]);
  try {
    return await runScript(script, args(port), { timeoutMs: 30_000 });
  } finally {
    await server.kill();
  }
}

describe("client.ts --bench", () => {
  test("client.ts --bench 2 prints intervals and a summary where sent equals received", async () => {
    const result = await againstServer(
      "server.ts",
      ["--mode", "echo"],
      "client.ts",
      (port) => ["--port", `${port}`, "--bench", "2"],
    );
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    assert.ok(lines.filter((line) => INTERVAL_LINE.test(line)).length >= 2, result.stdout);
    assert.ok(!result.stdout.includes("\r"), "no progress line when stdout is a pipe");
    const sender = /bits\/sec\s+sender\s+(\d+) messages/.exec(result.stdout);
    const receiver = /bits\/sec\s+receiver\s+(\d+) messages, every echoed byte/.exec(result.stdout);
    assert.ok(sender && receiver, result.stdout);
    assert.ok(Number(sender[1]) > 0);
    assert.equal(receiver[1], sender[1]);
  });

  test("client.ts --bench --json prints one JSON report and no narration", async () => {
    const result = await againstServer(
      "server.ts",
      ["--framing", "length"],
      "client.ts",
      (port) => [
        "--port",
        `${port}`,
        "--framing",
        "length",
        "--bench",
        "1.5",
        "--size",
        "4096",
        "--json",
      ],
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.start.test_start.protocol, "TCP");
    assert.equal(report.start.test_start.bidir, 1);
    assert.equal(report.start.socklab.framing, "length");
    assert.equal(report.start.socklab.tls, null);
    assert.equal(report.start.test_start.blksize, 4096);
    assert.ok(report.intervals.length >= 1);
    for (const field of ["start", "end", "seconds", "bytes", "bits_per_second"]) {
      assert.equal(typeof report.intervals[0].sum[field], "number", field);
      assert.equal(typeof report.intervals[0].sum_bidir_reverse[field], "number", field);
    }
    const { sum_sent: sender, sum_received: receiver, socklab } = report.end;
    assert.ok(sender.bytes > 0 && socklab.messages_sent > 0);
    assert.equal(receiver.bytes, sender.bytes);
    assert.equal(socklab.messages_echoed, socklab.messages_sent);
    assert.equal(socklab.every_echo_matches, true);
    assert.equal(sender.bytes, socklab.messages_sent * (4096 + 4));
    assert.equal(report.error, undefined);
    // Status lines are JSON events too under --json; narration of the traffic must not be.
    assert.doesNotMatch(result.stderr, /"event":"(connected|read|wrote)"/, "narration leaked");
  });

  test("client.ts --bench exits 1 when the echoes differ from what was sent", async () => {
    const result = await againstServer(
      "server.ts",
      ["--mode", "upper"],
      "client.ts",
      (port) => ["--port", `${port}`, "--bench", "1", "--size", "128"],
    );
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /echo of message 1 differs .* at byte 64/);
  });

  test("client.ts --bench usage errors name the flag and value and exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--bench", "soon"], /--bench .*'soon'/],
      [["--bench", "1", "--size", "8"], /--size .*16 to 65536.*'8'/],
      [["--bench", "1", "--size", "70000"], /--size .*'70000'/],
      [["--size", "100"], /--size only applies with --bench/],
      [["--bench", "1", "-v"], /--bench cannot be combined with --verbose/],
      [["--bench", "1", "hello"], /--bench sends its own messages/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runScript("client.ts", args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
  });
});

describe("udp.ts bench", () => {
  test("udp.ts bench at 2M for 2 s loses nothing on loopback and sends the expected count", async () => {
    const result = await againstServer(
      "udp.ts",
      ["server"],
      "udp.ts",
      (port) => ["bench", "--port", `${port}`, "--rate", "2M", "--time", "2", "--json"],
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.protocol, "udp");
    assert.equal(report.targetBitsPerSecond, 2_000_000);
    assert.equal(report.datagramBytes, 1470);
    assert.ok(report.intervals.length >= 2, result.stdout);
    const { summary } = report;
    // 2 Mbit/s of 1470-byte datagrams for 2 s is 340; the pacer's tick allows some slack.
    const expected = (2_000_000 / 8 / 1470) * 2;
    assert.ok(Math.abs(summary.sent - expected) <= expected * 0.15, `sent ${summary.sent}`);
    assert.equal(summary.received, summary.sent);
    assert.equal(summary.lost, 0);
    assert.equal(summary.lossPercent, 0);
    assert.equal(summary.duplicates, 0);
    assert.equal(summary.sentBytes, summary.sent * 1470);
    assert.equal(typeof summary.jitterMs, "number");
    assert.equal(typeof summary.reordered, "number");
  });

  test("udp.ts bench prints interval lines and a loss summary as text", async () => {
    const result = await againstServer(
      "udp.ts",
      ["server"],
      "udp.ts",
      (port) => ["bench", "--port", `${port}`, "--rate", "500k", "--time", "1", "--size", "200"],
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^\[\s*0\.0-\s*1\.0 s\]\s+sent .* jitter [\d.]+ ms\s+lost \d+\/\d+/m,
    );
    assert.match(result.stdout, /sender .* datagrams of 200 bytes/);
    assert.match(result.stdout, /receiver .* lost \(\d+(\.\d+)?%\), 0 duplicates, \d+ reordered/);
  });

  test("udp.ts bench usage errors name the flag and value and exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["bench", "--rate", "10x"], /--rate .*'10x'/],
      [["bench", "--rate", "0"], /--rate .*'0'/],
      [["bench", "--size", "70000"], /--size .*'70000'/],
      [["bench", "--size", "10"], /--size .*'10'/],
      // Fits IPv6 but not IPv4: found once the host is resolved, still a usage error.
      [["bench", "--size", "65520"], /--size must be at most 65507 .*'65520'/],
      [["bench", "--time", "-1"], /--time/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runScript("udp.ts", args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
  });
});

describe("throughput pieces", () => {
  test("parseRate reads iperf-style suffixes and treats a bare number as Mbit/s", () => {
    assert.equal(parseRate("rate", "10M"), 10_000_000);
    assert.equal(parseRate("rate", "500k"), 500_000);
    assert.equal(parseRate("rate", "1.5G"), 1_500_000_000);
    assert.equal(parseRate("rate", "2"), 2_000_000);
    for (const bad of ["", "fast", "-1M", "0", "1T", "200G"]) {
      assert.throws(() => parseRate("rate", bad), UsageError, bad);
    }
  });

  test("UdpTally counts duplicates, reordering and RFC 3550 jitter", () => {
    const tally = new UdpTally();
    for (let i = 0; i < 4; i++) tally.recordSent(100);
    const before = tally.snapshot();
    // Sent 10 ms apart; transit 1, 3, 3 ms: |D| = 2 then 0.
    assert.equal(tally.recordEcho(0, 0, 1, 100), "new");
    assert.equal(tally.recordEcho(2, 20, 23, 100), "new");
    assert.equal(tally.recordEcho(1, 10, 13, 100), "reordered");
    assert.equal(tally.recordEcho(1, 10, 14, 100), "duplicate");
    assert.equal(tally.recordEcho(9, 0, 1, 100), "unknown");
    const after = tally.snapshot();
    assert.equal(after.received, 3);
    assert.equal(after.duplicates, 1);
    assert.equal(after.reordered, 1);
    const jitter = (2 / 16) + (0 - 2 / 16) / 16;
    assert.ok(Math.abs(after.jitterMs - jitter) < 1e-9, `${after.jitterMs}`);
    assert.equal(lostBetween(before, after), 0);
    assert.equal(after.sent - after.received, 1, "datagram 3 is still outstanding");
    assert.equal(tally.recordEcho(3, 30, 31, 100), "new");
    assert.equal(tally.snapshot().received, 4);
  });

  test("EchoPattern numbers each message and finds the first differing byte", () => {
    const pattern = new EchoPattern(32);
    const message = pattern.message(42);
    assert.equal(new TextDecoder().decode(message.subarray(0, 11)), "0000000042 ");
    assert.ok(!message.includes(0x0a), "line framing must carry it");
    assert.equal(pattern.mismatch(42, message), -1);
    assert.equal(pattern.mismatch(43, message), 9);
    const changed = message.slice();
    changed[20] = 0x41;
    assert.equal(pattern.mismatch(42, changed), 20);
    assert.equal(pattern.mismatch(42, message.subarray(0, 30)), 30);
  });
});
