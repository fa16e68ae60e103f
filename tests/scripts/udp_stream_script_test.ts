// udp.ts bench --direction down against socklab's chargen: a paced stream of
// --size datagrams, as iperf3 -u -R -l gets one, and a stream the server
// turns away (busy, or over its limits) said in one line.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runScript, type ScriptResult, startScript, startUdpServer } from "../helpers/scripts.ts";

const PATIENT = { timeout: 90_000 };
const RUN_LIMIT_MS = 30_000;

function down(port: number, ...args: string[]): Promise<ScriptResult> {
  return runScript(
    "udp.ts",
    ["bench", "--host", "127.0.0.1", "--port", String(port), "--direction", "down", ...args],
    { timeoutMs: RUN_LIMIT_MS },
  );
}

describe("udp.ts bench --direction down streams from socklab's chargen", () => {
  test(
    "--size 1000 streams 1000-byte datagrams, counted by the server and here",
    PATIENT,
    async () => {
      const { server, port } = await startUdpServer(["--mode", "chargen"]);
      try {
        const run = await down(port, "--size", "1000", "--rate", "2M", "--time", "0.5", "--json");
        assert.equal(run.code, 0, run.stderr);
        // deno-lint-ignore no-explicit-any
        const json: any = JSON.parse(run.stdout);
        const { sum_sent, sum_received, streams } = json.end;
        assert.equal(json.start.test_start.blksize, 1000);
        assert.equal(json.start.test_start.reverse, 1);
        assert.equal(json.start.socklab.down_mode, "stream");
        assert.equal(json.start.socklab.request_bytes, undefined);
        assert.equal(json.end.socklab.sender_counted, true);
        assert.ok(sum_sent.packets > 0, run.stdout);
        assert.equal(sum_sent.bytes, sum_sent.packets * 1000);
        assert.equal(sum_received.bytes, sum_received.packets * 1000);
        // 2 Mbit/s on loopback: nothing is lost, so the server's count is what arrived.
        assert.equal(sum_received.packets, sum_sent.packets);
        assert.equal(sum_received.lost_packets, 0);
        assert.equal(typeof sum_received.jitter_ms, "number");
        assert.equal(streams[0].udp.out_of_order, 0);
        assert.equal(json.end.socklab.duplicates, 0);
        // The server logs the same count for the stream it sent.
        const logged = await server.waitFor(
          /bench stream done: (\d+) datagrams, (\d+) bytes sent/,
          {
            stream: "stderr",
          },
        );
        assert.equal(Number(logged[1]), sum_sent.packets);
        assert.equal(Number(logged[2]), sum_sent.bytes);

        const text = await down(port, "--size", "1000", "--rate", "2M", "--time", "0.5");
        assert.equal(text.code, 0, text.stderr);
        assert.match(text.stderr, /stream of 1000-byte datagrams at 2\.0 Mbit\/s/);
        const sender = text.stdout.match(/ (\d+) datagrams sent\s+sender$/m);
        assert.ok(sender, text.stdout);
        const receiver = text.stdout.match(/ [\d.]+ ms\s+(\d+)\/(\d+) \([\d.]+%\)\s+receiver$/m);
        assert.ok(receiver, text.stdout);
        assert.equal(receiver[2], sender[1]);
        assert.match(text.stderr, /lost = datagrams the server says it sent that never arrived/);
      } finally {
        await server.kill();
      }
    },
  );

  test(
    "a stream the server turns away is one line naming it and why, exit 1",
    PATIENT,
    async () => {
      const { server, port } = await startUdpServer(["--mode", "chargen"]);
      // The first bench holds this host's one stream while the second asks.
      const first = startScript("udp.ts", [
        "bench",
        "--port",
        String(port),
        "--direction",
        "down",
        "--rate",
        "1M",
        "--time",
        "20",
      ]);
      try {
        await server.waitFor(/bench stream started/, { stream: "stderr" });
        for (const json of [false, true]) {
          const second = await down(
            port,
            "--rate",
            "1M",
            "--time",
            "0.5",
            ...(json ? ["--json"] : []),
          );
          assert.equal(second.code, 1, second.stderr);
          const lines = second.stderr.trim().split("\n");
          assert.equal(lines.length, 1, second.stderr);
          // With --json, stderr's lines are JSON events carrying the same words.
          const line = json ? JSON.parse(lines[0]!).message : lines[0];
          assert.match(line, /^udp\.ts: the chargen server at 127\.0\.0\.1:\d+ is busy: /);
          assert.doesNotMatch(second.stderr, /\n\s+at /);
          // iperf3 -J says a refused test in its JSON's "error".
          if (json) assert.match(JSON.parse(second.stdout).error, /busy/);
          else assert.equal(second.stdout, "");
        }
        // Over the server's fastest rate (10 Gbit/s unless set): refused, with that rate.
        const tooFast = await down(port, "--rate", "20G", "--time", "0.5");
        assert.equal(tooFast.code, 1, tooFast.stderr);
        assert.equal(tooFast.stderr.trim().split("\n").length, 1, tooFast.stderr);
        assert.match(
          tooFast.stderr,
          /^udp\.ts: the chargen server at 127\.0\.0\.1:\d+ refused the stream as over its limits \(at most 10000\.0 Mbit\/s,/,
        );
        // The first run goes on and ends with its summary at Ctrl-C.
        const stopped = await first.stop("SIGINT");
        assert.match(stopped.stdout, /datagrams sent\s+sender$/m);
      } finally {
        await first.kill();
        await server.kill();
      }
    },
  );

  test(
    "a server dropping everything it sends still starts the stream: faults spare the bench's bookkeeping",
    PATIENT,
    async () => {
      const { server, port } = await startUdpServer([
        "--mode",
        "chargen",
        "--drop",
        "100",
        "--seed",
        "1",
      ]);
      try {
        const run = await down(port, "--rate", "1M", "--time", "0.5", "--json");
        // Every datagram of the stream was dropped on the server: nothing arrived.
        assert.equal(run.code, 1, run.stderr);
        // deno-lint-ignore no-explicit-any
        const json: any = JSON.parse(run.stdout);
        assert.equal(json.start.socklab.down_mode, "stream");
        assert.ok(json.end.sum_sent.packets > 0, run.stdout);
        assert.equal(json.end.sum_received.packets, 0);
        await server.waitFor(/bench stream started/, { stream: "stderr" });
        const done = await server.waitFor(/bench stream done: (\d+) datagrams/, {
          stream: "stderr",
        });
        assert.equal(Number(done[1]), json.end.sum_sent.packets);
      } finally {
        await server.kill();
      }
    },
  );

  test(
    "--stream-max caps the rate a stream may ask for, and a bad one is a usage error",
    PATIENT,
    async () => {
      const { server, port } = await startUdpServer(["--mode", "chargen", "--stream-max", "1M"]);
      try {
        const over = await down(port, "--rate", "2M", "--time", "0.5");
        assert.equal(over.code, 1, over.stderr);
        assert.match(over.stderr, /refused the stream as over its limits \(at most 1\.0 Mbit\/s,/);
        const within = await down(port, "--rate", "1M", "--time", "0.5");
        assert.equal(within.code, 0, within.stderr);
      } finally {
        await server.kill();
      }
      const bad = await runScript("udp.ts", [
        "server",
        "--mode",
        "chargen",
        "--stream-max",
        "fast",
      ]);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /--stream-max must be a rate from 1k to 100G bit\/s .*got 'fast'/);
    },
  );
});
