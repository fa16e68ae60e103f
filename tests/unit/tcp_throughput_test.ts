// The TCP throughput engine as a library: what measureTcpThroughput returns
// against socklab's own discard, chargen and echo modes, served in-process.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type BenchDirection,
  type BenchRun,
  createMode,
  measureTcpThroughput,
  type ModeName,
  serve,
} from "../../mod.ts";

const HOST = "127.0.0.1";

async function runAgainst(
  mode: ModeName,
  direction: BenchDirection,
  parallel = 1,
): Promise<BenchRun> {
  const served = createMode(mode, { maxFrameBytes: 64 * 1024, show: () => {} });
  const server = await serve({ host: HOST, port: 0, bytes: served.bytes }, served.handler);
  try {
    return await measureTcpThroughput({
      host: HOST,
      port: server.address.port,
      direction,
      seconds: 1,
      parallel,
      size: 16 * 1024,
      framing: "line",
      maxFrameBytes: 64 * 1024,
      timeoutMs: 2000,
    });
  } finally {
    await server.close();
  }
}

const laneTotal = (run: BenchRun, index: number) =>
  run.intervals.reduce((sum, interval) => sum + interval.bytes[index]!, 0);

describe("measureTcpThroughput", () => {
  test("up to discard, two streams: each sent bytes the server confirmed, counted per second", async () => {
    const seen: number[] = [];
    const run = await runAgainst("discard", "up", 2);
    assert.equal(run.failure, undefined);
    assert.equal(run.streams.length, 2);
    assert.deepEqual(run.lanes, [{ id: 1, sender: true }, { id: 2, sender: true }]);
    assert.ok(run.intervals.length >= 1, "no interval");
    for (const [index, summary] of run.summaries.entries()) {
      assert.ok(summary.sender && summary.sender.bytes > 0, JSON.stringify(summary));
      // The intervals add up to what the summary says was sent within the run.
      assert.equal(summary.sender.bytes, laneTotal(run, index));
      // The server read at least what left within the run (it may read the queued rest after).
      assert.ok(summary.receiver && summary.receiver.bytes >= summary.sender.bytes, "unconfirmed");
      seen.push(summary.sender.bytes);
    }
    assert.equal(seen.length, 2);
  });

  test("down from chargen: received bytes only, no sender side", async () => {
    const run = await runAgainst("chargen", "down");
    assert.equal(run.failure, undefined);
    const [summary] = run.summaries;
    assert.equal(summary?.sender, undefined);
    assert.ok(summary?.receiver && summary.receiver.bytes > 0, JSON.stringify(summary));
    assert.equal(summary.receiver.bytes, laneTotal(run, 0));
  });

  test("both through echo: every message echoed and checked, TX and RX lanes", async () => {
    const run = await runAgainst("echo", "both");
    assert.equal(run.failure, undefined);
    assert.deepEqual(run.lanes, [{ id: 1, sender: true }, { id: 1, sender: false }]);
    const messages = run.summaries[0]?.messages;
    assert.ok(messages && messages.sent > 0, JSON.stringify(run.summaries));
    assert.equal(messages.echoed, messages.sent);
  });

  test("an echo server that changes the bytes fails the run, saying so", async () => {
    const server = await serve({ host: HOST, port: 0 }, (message) => message.text.toUpperCase());
    try {
      const run = await measureTcpThroughput({
        host: HOST,
        port: server.address.port,
        direction: "both",
        seconds: 1,
        parallel: 1,
        size: 1024,
        framing: "line",
        maxFrameBytes: 64 * 1024,
        timeoutMs: 2000,
      });
      assert.match(run.failure ?? "", /^echo of message 1 differs from what was sent/);
    } finally {
      await server.close();
    }
  });
});
