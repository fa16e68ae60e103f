// Issue 21, item 5: every `client.ts --bench` ends within its run plus a
// bounded grace against a far end that stops reading (or never sends its
// FIN), prints the summary of what it measured, says why on stderr, exits 1.
// The benches run at once: each mostly waits, and together they stay short.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { detectRuntime } from "../../src/net/runtime.ts";
import {
  benchAgainstSink,
  type BenchAttempt,
  type BenchOutcome,
  tlsFrom,
} from "../helpers/round3_tcp_bench.ts";
import { makeCertificateFiles } from "../helpers/tls_files.ts";

const runtime = detectRuntime();
const SECONDS = 2;

// The sender line of stream `id` (or SUM), over the whole run, as iperf3 ends a test.
const senderLine = (id: string) =>
  new RegExp(
    `^\\[${id}\\]\\s+0\\.00-\\d+\\.\\d\\d\\s+sec\\s+[\\d.]+ [KMGT]?Bytes .* sender\\b`,
    "m",
  );

function assertEndedInTime(outcome: BenchOutcome): void {
  const shown = `after ${
    outcome.seconds.toFixed(1)
  } s\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;
  assert.equal(outcome.killed, false, `still running at ${outcome.limitSeconds} s, ${shown}`);
  assert.ok(outcome.seconds <= outcome.limitSeconds, shown);
  assert.equal(outcome.code, 1, shown);
}

// The lines of stderr as the user reads them: with --json each is an object with a message.
function stderrMessages(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line !== "").map((line) =>
    line.startsWith("{") ? String(JSON.parse(line).message) : line
  );
}

// Exactly one line of the bench's own failure, naming the server that stopped reading.
function assertSaysStopped(outcome: BenchOutcome): void {
  const lines = stderrMessages(outcome.stderr).filter((line) => line.startsWith("client.ts: "));
  assert.equal(lines.length, 1, outcome.stderr);
  assert.match(lines[0]!, /the server stopped reading/);
  assert.match(lines[0]!, /what it read is unknown/);
}

function run(attempt: Omit<BenchAttempt, "seconds">): Promise<BenchOutcome> {
  return benchAgainstSink(runtime, { seconds: SECONDS, ...attempt });
}

describe("client.ts --bench against a far end that misbehaves", () => {
  test("ends within its run and grace: up, both, down, -P 2 --json, --tls; no FIN", {
    timeout: 90_000,
  }, async () => {
    const files = makeCertificateFiles();
    try {
      const [up, both, down, parallelJson, tls, noFin] = await Promise.all([
        run({ kind: "stalled", args: ["--direction", "up"] }),
        run({ kind: "stalled", args: ["--direction", "both"] }),
        run({ kind: "stalled", args: ["--direction", "down"] }),
        run({ kind: "stalled", args: ["--direction", "up", "-P", "2", "--json"] }),
        run({
          kind: "stalled",
          args: ["--direction", "up", "--tls", "--insecure"],
          tls: tlsFrom(files.cert, files.key),
        }),
        run({ kind: "no-fin", args: ["--direction", "up"] }),
      ]);
      for (const outcome of [up, both, parallelJson, tls]) {
        assertEndedInTime(outcome);
        assertSaysStopped(outcome);
      }
      assert.match(up.stdout, senderLine(" {2}1"));
      assert.doesNotMatch(up.stdout, /receiver$/m, "what the sink read is not known");
      assert.match(tls.stdout, senderLine(" {2}1"));
      assert.match(both.stdout, senderLine(" {2}1\\]\\[TX"));
      // Echoes are counted here, so the receiver line stays: none came back.
      assert.match(both.stdout, /receiver\s+0 messages$/m);
      const report = JSON.parse(parallelJson.stdout);
      assert.equal(report.start.test_start.num_streams, 2);
      assert.ok(report.end.sum_sent.bytes > 0, parallelJson.stdout);
      assert.equal(report.end.sum_received, undefined, "what the sink read is not known");
      assert.match(report.error, /the server stopped reading/);

      // A download needs the server to send, not to read: this one never sends, and is told so.
      assertEndedInTime(down);
      assert.match(down.stdout, /^\[ {2}1\]\s+0\.00-\d+\.\d\d\s+sec .* receiver$/m);
      assert.match(down.stderr, /nothing came from the server/);

      assertEndedInTime(noFin);
      assert.match(noFin.stdout, senderLine(" {2}1"));
      assert.match(noFin.stderr, /^client\.ts: stream 1: no FIN from the server within \d+ s/m);
      assert.ok(noFin.sinkRead > 0, "the sink read what came");
    } finally {
      files.remove();
    }
  });
});
