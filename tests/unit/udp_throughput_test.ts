// The UDP throughput engine (`measureUdpThroughput`, what `udp.ts bench`
// runs) against in-process servers: the counts it returns are what happened.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  BenchReceiver,
  createDatagramMode,
  echo,
  measureUdpThroughput,
  serveUdp,
  UdpFaults,
  type UdpThroughputInterval,
} from "../../mod.ts";

const LOCAL = "127.0.0.1";
// 100 datagrams of 500 bytes at 4 Mbit/s: a tenth of a second, nothing lost on loopback.
const RUN = { bitsPerSecond: 4_000_000, size: 500, count: { datagrams: 100 } };

function sum(intervals: UdpThroughputInterval[], field: keyof UdpThroughputInterval): number {
  return intervals.reduce((total, interval) => total + (interval[field] ?? 0), 0);
}

describe("measureUdpThroughput", () => {
  test("both ways off an echo server at a low rate: every datagram echoed, nothing lost", async () => {
    const server = await serveUdp({ host: LOCAL, port: 0 }, echo);
    const seen: UdpThroughputInterval[] = [];
    let started = 0;
    let sentCalls = 0;
    try {
      const result = await measureUdpThroughput(
        { host: LOCAL, port: server.localAddress.port, ...RUN },
        {
          onStart: () => started++,
          onInterval: (interval) => seen.push(interval),
          onSent: () => sentCalls++,
        },
      );
      assert.equal(result.failure, undefined);
      assert.equal(result.direction, "both");
      assert.deepEqual(result.sent, { datagrams: 100, bytes: 50_000 });
      assert.equal(result.received.datagrams, 100);
      assert.equal(result.received.bytes, 50_000);
      assert.equal(result.lost, 0);
      assert.equal(result.lossPercent, 0);
      assert.equal(result.duplicates, 0);
      assert.equal(result.unrecognised, 0);
      assert.equal(typeof result.jitterMs, "number");
      assert.equal(result.datagramBytes, 500);
      assert.equal(result.target.port, server.localAddress.port);
      // The observer heard the intervals the result holds, and they add up to the run.
      assert.equal(started, 1);
      assert.equal(sentCalls, 1);
      assert.deepEqual(seen, result.intervals);
      assert.equal(sum(result.intervals, "sentDatagrams"), 100);
      assert.equal(result.seconds, result.intervals.at(-1)?.end);
    } finally {
      await server.close();
    }
  });

  test("both ways off a server dropping on purpose: the loss is what the faults dropped", async () => {
    const faults = new UdpFaults({
      dropPercent: 20,
      delayMs: 0,
      jitterMs: 0,
      dupPercent: 0,
      reorderPercent: 0,
      seed: 7,
    });
    const server = await serveUdp({ host: LOCAL, port: 0, faults }, echo);
    try {
      const result = await measureUdpThroughput({
        host: LOCAL,
        port: server.localAddress.port,
        ...RUN,
      });
      await faults.finish();
      const dropped = faults.stats.droppedOnReceive + faults.stats.dropped;
      assert.ok(dropped > 0, "a 20% drop over 100 datagrams drops some");
      assert.equal(result.sent.datagrams, 100);
      assert.equal(result.lost, dropped);
      assert.equal(result.received.datagrams, 100 - dropped);
      assert.equal(result.lossPercent, dropped);
      assert.equal(result.failure, undefined);
    } finally {
      await server.close();
    }
  });

  test("up to a discard server that reports: its count is the receiver's figures", async () => {
    const receiver = new BenchReceiver();
    const server = await serveUdp(
      { host: LOCAL, port: 0 },
      (message, peer) => receiver.take(message.bytes, peer.remoteAddress)?.answer,
    );
    try {
      const result = await measureUdpThroughput({
        host: LOCAL,
        port: server.localAddress.port,
        direction: "up",
        ...RUN,
      });
      assert.equal(result.failure, undefined);
      assert.deepEqual(result.sent, { datagrams: 100, bytes: 50_000 });
      assert.equal(result.received.datagrams, 0);
      assert.equal(result.report?.packets, 100);
      assert.equal(result.report?.bytes, 50_000);
      assert.equal(result.lost, 0);
      assert.equal(result.duplicates, 0);
    } finally {
      await server.close();
    }
  });

  test("down from a chargen server with no streams: each request answered with 512 bytes", async () => {
    const mode = createDatagramMode("chargen", { maxFrameBytes: 1472, show: () => {} });
    const server = await serveUdp({ host: LOCAL, port: 0 }, mode.handler);
    try {
      const result = await measureUdpThroughput({
        host: LOCAL,
        port: server.localAddress.port,
        direction: "down",
        bitsPerSecond: 1_000_000,
        size: 1000,
        count: { datagrams: 20 },
      });
      assert.equal(result.failure, undefined);
      // Its answer to the stream's OPEN was characters: the run falls back to requests.
      assert.equal(result.downMode, "requests");
      assert.equal(result.senderCounted, undefined);
      assert.equal(result.sent.datagrams, 20);
      assert.equal(result.received.datagrams, 20);
      assert.equal(result.received.bytes, 20 * 512);
      assert.equal(result.lost, 0);
      assert.equal(result.echoedRequests, false);
    } finally {
      await server.close();
    }
  });

  test("a datagram over the UDP limit sends nothing and says so", async () => {
    const server = await serveUdp({ host: LOCAL, port: 0 }, echo);
    try {
      const result = await measureUdpThroughput({
        host: LOCAL,
        port: server.localAddress.port,
        ...RUN,
        size: 70_000,
      });
      assert.equal(result.failure, "too large");
      assert.equal(result.limitBytes, 65507);
      assert.equal(result.sent.datagrams, 0);
      assert.equal(server.stats.datagramsIn, 0);
    } finally {
      await server.close();
    }
  });

  test("a stop signal already aborted ends the run before it sends much", async () => {
    const server = await serveUdp({ host: LOCAL, port: 0 }, echo);
    try {
      const result = await measureUdpThroughput({
        host: LOCAL,
        port: server.localAddress.port,
        bitsPerSecond: 1_000_000,
        size: 500,
        seconds: 30,
        signal: AbortSignal.abort(),
      });
      assert.ok(result.seconds < 1, `stopped at ${result.seconds} s`);
      assert.ok(result.sent.datagrams <= 1);
    } finally {
      await server.close();
    }
  });
});
