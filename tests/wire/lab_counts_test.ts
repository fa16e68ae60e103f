// Counts a student checks against a capture or against iperf3 (issue 25, item 3): ping's bytes are
// the bytes on the wire, an upload's receiver never reads more than its sender sent, a UDP client
// that heard port unreachable says so once and stops, and a count-bounded UDP bench sends exactly
// its count, so a seeded run is the same run on every PC.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { detectRuntime } from "../../src/net/runtime.ts";
import { freePort } from "../helpers/peers.ts";
import {
  type RunningScript,
  runScript,
  startServer,
  startUdpServer,
  stdoutJson,
} from "../helpers/scripts.ts";

const SPAWNS = { timeout: 90_000 };

async function withServer<T>(
  script: "server.ts" | "udp.ts",
  args: string[],
  body: (port: number) => Promise<T>,
): Promise<T> {
  const { server, port }: { server: RunningScript; port: number } = script === "udp.ts"
    ? await startUdpServer(args)
    : await startServer(script, [...args, "--port", "0"]);
  try {
    return await body(port);
  } finally {
    await server.kill();
  }
}

describe("counts a student checks", () => {
  test("TCP ping counts the reply as it crossed the wire, newline included", SPAWNS, async () => {
    const result = await withServer(
      "server.ts",
      [],
      (port) =>
        runScript("client.ts", ["--port", String(port), "--count", "1", "--interval", "0.1"]),
    );
    assert.equal(result.code, 0, result.stderr);
    // "ping 1\n" is 7 bytes: what tshark shows as Len=7 and udp.ts ping counts for a datagram.
    assert.match(result.stdout, /^7 bytes from 127\.0\.0\.1:\d+: seq=1 /m, result.stdout);
    assert.match(result.stderr, /: 1 probe, /, result.stderr);
  });

  test("TCP ping with length framing counts the 4-byte prefix", SPAWNS, async () => {
    const result = await withServer(
      "server.ts",
      ["--framing", "length"],
      (port) =>
        runScript("client.ts", [
          "--port",
          String(port),
          "--framing",
          "length",
          "--count",
          "2",
          "--interval",
          "0.1",
        ]),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^10 bytes from .*seq=1 /m, result.stdout);
    assert.match(result.stderr, /: 2 probes, /, result.stderr);
  });

  test(
    "an upload's receiver line never counts more bytes than its sender line",
    SPAWNS,
    async () => {
      const reports = await withServer("server.ts", ["--mode", "discard"], async (port) => {
        const runs = [];
        // Small blocks make the write in flight at the deadline a visible share; two runs for luck.
        for (let i = 0; i < 2; i++) {
          const result = await runScript("client.ts", [
            "--port",
            String(port),
            "--bench",
            "0.5",
            "--direction",
            "up",
            "--json",
          ], { timeoutMs: 30_000 });
          assert.equal(result.code, 0, result.stderr);
          const report = stdoutJson<{
            intervals: { sum: { bytes: number } }[];
            end: { sum_sent: { bytes: number }; sum_received: { bytes: number } };
          }>(result);
          runs.push(report);
        }
        return runs;
      });
      for (const report of reports) {
        const { sum_sent, sum_received } = report.end;
        assert.ok(
          sum_received.bytes <= sum_sent.bytes,
          `receiver ${sum_received.bytes} > sender ${sum_sent.bytes}`,
        );
        // Everything the discard server confirmed was sent within the run: nothing is lost on TCP.
        assert.equal(sum_received.bytes, sum_sent.bytes);
        const inIntervals = report.intervals.reduce((sum, interval) => sum + interval.sum.bytes, 0);
        assert.equal(inIntervals, sum_sent.bytes, "the intervals add up to the sender line");
      }
    },
  );

  test("a UDP client told port unreachable says so once and stops", SPAWNS, async () => {
    const port = await freePort();
    const started = performance.now();
    const result = await runScript("udp.ts", [
      "client",
      "--port",
      String(port),
      "--timeout",
      "1",
      "--retries",
      "2",
      "hello",
    ]);
    const tookMs = performance.now() - started;
    assert.equal(result.code, 1, result.stderr);
    if (detectRuntime() === "bun") {
      // Bun learns of the ICMP answer: no retries, no "cannot tell" after it.
      assert.doesNotMatch(result.stderr, /sending again/, result.stderr);
      assert.doesNotMatch(result.stderr, /cannot tell/, result.stderr);
      assert.equal(result.stderr.match(/port unreachable/g)?.length, 1, result.stderr);
      assert.match(result.stderr, /nothing listens on UDP port \d+ there/, result.stderr);
      assert.ok(tookMs < 2500, `took ${tookMs.toFixed(0)} ms, as if it retried`);
      // Stdin lines are not retried anyway; the verdict names the answer instead of silence.
      const piped = await runScript("udp.ts", ["client", "--port", String(port), "-t", "200ms"], {
        input: "a\nb\n",
      });
      assert.equal(piped.code, 1, piped.stderr);
      assert.match(piped.stderr, /to 2 datagrams; nothing listens on that UDP port/, piped.stderr);
      assert.doesNotMatch(piped.stderr, /cannot tell/, piped.stderr);
    } else {
      // Deno's datagram sockets never hear of ICMP: silence is all it has, and it says so.
      assert.match(result.stderr, /sending again \(try 3 of 3\)/, result.stderr);
      assert.match(result.stderr, /cannot tell whether the server is up/, result.stderr);
    }
  });

  for (const direction of ["both", "up"] as const) {
    test(
      `udp.ts bench --blockcount sends exactly that many datagrams (--direction ${direction})`,
      SPAWNS,
      async () => {
        const mode = direction === "up" ? ["--mode", "discard"] : [];
        const sentCounts = await withServer("udp.ts", mode, async (port) => {
          const counts: number[] = [];
          for (const bound of [["--blockcount", "37"], ["-n", String(37 * 200)]]) {
            const result = await runScript("udp.ts", [
              "bench",
              "--port",
              String(port),
              "--direction",
              direction,
              "--size",
              "200",
              "--rate",
              "2M",
              "--drop",
              "30",
              "--seed",
              "7",
              "--json",
              ...bound,
            ], { timeoutMs: 30_000 });
            assert.equal(result.code, 0, result.stderr);
            counts.push(sentOf(stdoutJson(result)));
          }
          return counts;
        });
        assert.deepEqual(sentCounts, [37, 37]);
      },
    );
  }

  test("udp.ts bench refuses --blockcount together with --time or --bytes", SPAWNS, async () => {
    for (const args of [["--time", "2", "--blockcount", "5"], ["-n", "10K", "-k", "5"]]) {
      const result = await runScript("udp.ts", ["bench", "--port", "9", ...args]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /give one/, result.stderr);
    }
  });
});

// Both JSON shapes: --direction both has summary.sent, up has iperf3's end.sum_sent.packets.
function sentOf(report: unknown): number {
  const r = report as { summary?: { sent: number }; end?: { sum_sent?: { packets: number } } };
  const sent = r.summary?.sent ?? r.end?.sum_sent?.packets;
  assert.equal(typeof sent, "number", JSON.stringify(report).slice(0, 400));
  return sent!;
}
