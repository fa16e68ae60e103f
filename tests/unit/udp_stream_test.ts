// The down stream (`udp.ts bench --direction down` against socklab's chargen):
// its messages, the server's StreamSender against what a hostile classmate
// would send it, and measureUdpThroughput's down run against it, in process.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  echo,
  measureUdpThroughput,
  serveUdp,
  UdpFaults,
  type UdpThroughputInterval,
  type UdpThroughputStart,
} from "../../mod.ts";
import { delay } from "../../src/async/delay.ts";
import {
  buildStreamCookie,
  buildStreamGo,
  buildStreamOpen,
  buildStreamStatus,
  isStreamOpen,
  readStreamReply,
  readStreamRequest,
  type StreamAsk,
  type StreamCookie,
  StreamSender,
  type StreamState,
} from "../../src/measure/mod.ts";
import {
  answerOf,
  askFor,
  CountingSocket,
  LOCAL,
  RawPeer,
  startStreamingChargen,
  streamFrom,
  waitFor,
} from "../helpers/stream_peers.ts";

// Longer than bun's 5 s default: the consent test waits out a 1 s consent more than once.
const SLOW = { timeout: 30_000 };
const utf8 = new TextEncoder();

function withByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = value;
  return copy;
}

function longer(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.length + 1);
  copy.set(bytes);
  return copy;
}

describe("the stream protocol's messages", () => {
  const ask: StreamAsk = {
    runId: 0xdeadbeef,
    bitsPerSecond: 2.5e9 + 0.5,
    datagramBytes: 65_507,
    durationMs: 86_400_000,
    datagrams: 0xffffffff,
  };
  const cookie = { issuedAtS: 0xfffffffe, mac: Uint8Array.from({ length: 16 }, (_, i) => i * 7) };

  test("each message reads back as it was built", () => {
    assert.deepEqual(readStreamRequest(buildStreamOpen(ask)), { kind: "open", ask });
    assert.deepEqual(readStreamRequest(buildStreamGo(ask, cookie)), { kind: "go", ask, cookie });
    assert.deepEqual(readStreamRequest(buildStreamGo(ask, cookie, true)), {
      kind: "stop",
      ask,
      cookie,
    });
    assert.deepEqual(readStreamReply(buildStreamCookie(ask.runId, cookie), ask.runId), {
      kind: "cookie",
      runId: ask.runId,
      cookie,
    });
    const states: StreamState[] = ["streaming", "done", "busy", "refused", "expired"];
    for (const state of states) {
      const status = {
        runId: ask.runId,
        state,
        sentDatagrams: 123_456_789_012,
        sentBytes: 2 ** 52,
        detail: 1e10,
      };
      assert.deepEqual(readStreamReply(buildStreamStatus(status), ask.runId), {
        kind: "status",
        status,
      });
    }
    assert.equal(isStreamOpen(buildStreamOpen(ask)), true);
    assert.equal(isStreamOpen(buildStreamGo(ask, cookie)), false);
  });

  test("a datagram of the wrong length, magic or run is not read", () => {
    const open = buildStreamOpen(ask);
    const go = buildStreamGo(ask, cookie);
    const stop = buildStreamGo(ask, cookie, true);
    const cookieBytes = buildStreamCookie(ask.runId, cookie);
    const status = buildStreamStatus({
      runId: ask.runId,
      state: "done",
      sentDatagrams: 1,
      sentBytes: 1,
      detail: 0,
    });
    for (const request of [open, go, stop]) {
      assert.equal(readStreamRequest(request.subarray(0, request.length - 1)), undefined);
      assert.equal(readStreamRequest(longer(request)), undefined);
      assert.equal(readStreamRequest(withByte(request, 3, request[3]! ^ 1)), undefined);
    }
    for (const reply of [cookieBytes, status]) {
      assert.equal(readStreamReply(reply.subarray(0, reply.length - 1), ask.runId), undefined);
      assert.equal(readStreamReply(longer(reply), ask.runId), undefined);
      assert.equal(readStreamReply(withByte(reply, 0, 0x41), ask.runId), undefined);
      assert.equal(readStreamReply(reply, ask.runId + 1), undefined, "another run's");
    }
    // Replies are not requests, and requests are not replies.
    assert.equal(readStreamRequest(status), undefined);
    assert.equal(readStreamReply(go, ask.runId), undefined);
    // A state past the last one is not a status.
    assert.equal(readStreamReply(withByte(status, 11, 5), ask.runId), undefined);
    assert.equal(readStreamRequest(new Uint8Array(0)), undefined);
    assert.equal(isStreamOpen(longer(open)), false);
  });
});

describe("StreamSender against raw peers", () => {
  test("no answer is larger than the datagram it answers", async () => {
    const server = await startStreamingChargen({ streams: { maxBitsPerSecond: 1_000_000 } });
    const peer = await RawPeer.bind();
    try {
      const ask = askFor();
      // What was sent, and the size of what came back.
      const sizes: Array<[string, number, number | undefined]> = [];
      const exchange = async (what: string, bytes: Uint8Array, runId: number) => {
        peer.send(bytes, server.address);
        sizes.push([what, bytes.length, (await peer.nextReply(runId))?.bytes]);
      };
      await exchange("OPEN -> COOKIE", buildStreamOpen(ask), ask.runId);
      const refused = askFor({ bitsPerSecond: 2_000_000 });
      await exchange("OPEN refused -> STATUS", buildStreamOpen(refused), refused.runId);
      const cookie = await peer.cookie(ask, server.address);
      const forged = { ...cookie, mac: withByte(cookie.mac, 0, cookie.mac[0]! ^ 0x80) };
      await exchange("bad GO -> STATUS", buildStreamGo(ask, forged), ask.runId);
      await exchange("GO -> STATUS", buildStreamGo(ask, cookie), ask.runId);
      await exchange("STOP -> STATUS", buildStreamGo(ask, cookie, true), ask.runId);
      for (const [what, asked, answered] of sizes) {
        assert.ok(answered !== undefined, `${what}: no answer came`);
        assert.ok(answered <= asked, `${what}: ${answered} bytes answered ${asked}`);
      }
      // One answer each (and the COOKIE peer.cookie() asked for), nothing besides but the stream.
      await delay(100);
      assert.equal(peer.arrivals.length - peer.benchDatagrams(), sizes.length + 1);
    } finally {
      await peer.close();
      await server.close();
    }
  });

  test("a GO with a forged or altered cookie starts nothing", async () => {
    const server = await startStreamingChargen();
    const peer = await RawPeer.bind();
    const other = await RawPeer.bind();
    try {
      const ask = askFor();
      const cookie = await peer.cookie(ask, server.address);
      const flipped = withByte(cookie.mac, 9, cookie.mac[9]! ^ 1);
      const forgeries: Array<[string, RawPeer, Uint8Array]> = [
        ["a MAC byte flipped", peer, buildStreamGo(ask, { ...cookie, mac: flipped })],
        ["the MAC zeroed", peer, buildStreamGo(ask, { ...cookie, mac: new Uint8Array(16) })],
        ["the rate raised", peer, buildStreamGo({ ...ask, bitsPerSecond: 1e9 }, cookie)],
        ["the size raised", peer, buildStreamGo({ ...ask, datagramBytes: 1400 }, cookie)],
        ["the time raised", peer, buildStreamGo({ ...ask, durationMs: 3_600_000 }, cookie)],
        ["the run changed", peer, buildStreamGo({ ...ask, runId: ask.runId ^ 1 }, cookie)],
        [
          "the issue time moved",
          peer,
          buildStreamGo(ask, { ...cookie, issuedAtS: cookie.issuedAtS - 1 }),
        ],
        ["sent from another port", other, buildStreamGo(ask, cookie)],
      ];
      for (const [what, from, go] of forgeries) {
        const runId = readStreamRequest(go)!.ask.runId;
        const status = await from.status(go, server.address, runId);
        assert.equal(status.state, "expired", what);
        assert.equal(status.sentDatagrams, 0, what);
      }
      await delay(300);
      assert.equal(peer.benchDatagrams(), 0, "a stream came to the cookie's owner");
      assert.equal(other.benchDatagrams(), 0, "a stream came to the other port");
      assert.equal(server.sender.streaming, 0);
      assert.deepEqual(server.events.map((event) => event.kind), forgeries.map(() => "expired"));
      // The genuine GO does start one, so the wait above would have seen its datagrams.
      const genuine = await peer.status(buildStreamGo(ask, cookie), server.address, ask.runId);
      assert.equal(genuine.state, "streaming");
      assert.ok(await waitFor(() => peer.benchDatagrams(ask.runId) > 0, 2_000));
      assert.equal(other.benchDatagrams(), 0);
    } finally {
      await other.close();
      await peer.close();
      await server.close();
    }
  });

  test("a cookie older than 30 s, or from the future, starts nothing", async () => {
    const socket = new CountingSocket();
    const sender = new StreamSender(socket);
    const from = { hostname: "192.0.2.10", port: 40_000 };
    const ask = askFor();
    const realNow = Date.now;
    try {
      const opened = await answerOf(sender, buildStreamOpen(ask), from, ask.runId);
      assert.equal(opened.kind, "cookie");
      if (opened.kind !== "cookie") return;
      const go = buildStreamGo(ask, opened.cookie);
      const goAt = async (shiftMs: number) => {
        Date.now = () => realNow() + shiftMs;
        try {
          const reply = await answerOf(sender, go, from, ask.runId);
          return reply.kind === "status" ? reply.status.state : reply.kind;
        } finally {
          Date.now = realNow;
        }
      };
      assert.equal(await goAt(32_000), "expired", "a cookie 32 s old");
      assert.equal(await goAt(-2_000), "expired", "a cookie made 2 s from now");
      assert.equal(sender.streaming, 0);
      assert.equal(socket.sentTo.size, 0);
      assert.equal(await goAt(0), "streaming", "the same cookie, fresh");
    } finally {
      Date.now = realNow;
      sender.close();
      await waitFor(() => sender.streaming === 0, 2_000);
    }
  });

  test("a stream goes only to the address that proved itself, past the 3x rule, and only while it runs", async () => {
    const BIG = 8_000;
    const server = await startStreamingChargen({
      fallback: (message) => message.text === "big" ? new Uint8Array(BIG).fill(0x61) : undefined,
    });
    const peer = await RawPeer.bind();
    const neighbour = await RawPeer.bind();
    const big = utf8.encode("big");
    const stats = server.endpoint.stats;
    try {
      // The rule is on: 3 bytes asked earn no 8,000-byte answer.
      peer.send(big, server.address);
      assert.ok(await waitFor(() => stats.amplifying === 1, 2_000), "the 3x rule is off");
      const ask = askFor({
        bitsPerSecond: 4_000_000,
        datagramBytes: 1_000,
        datagrams: 60,
        durationMs: 5_000,
      });
      const { status } = await peer.start(ask, server.address);
      assert.equal(status.state, "streaming");
      // The exemption is the proven port's: the same host's other port is still held to 3x.
      neighbour.send(big, server.address);
      assert.ok(
        await waitFor(() => server.events.some((event) => event.kind === "done"), 5_000),
        "the stream did not end",
      );
      assert.ok(
        await waitFor(() => peer.benchDatagrams(ask.runId) === 60, 1_000),
        `${peer.benchDatagrams(ask.runId)} of the stream's 60 datagrams arrived`,
      );
      assert.equal(neighbour.benchDatagrams(), 0);
      assert.equal(neighbour.arrivals.length, 0, "the neighbour's big answer was sent");
      // Far more than three times what this host sent, headers included, and none of it cut.
      const hostSent = stats.bytesIn + 28 * stats.datagramsIn;
      assert.ok(60 * 1_000 > 3 * hostSent, `the host sent ${hostSent} bytes`);
      assert.equal(stats.amplifying, 2);
      // Over: the exemption is gone, and a big answer to the same port is cut again.
      peer.send(big, server.address);
      assert.ok(
        await waitFor(() => stats.amplifying === 3, 2_000),
        "a big answer was sent to the stream's address after the stream ended",
      );
      await delay(100);
      assert.equal(peer.arrivals.some((bytes) => bytes.length === BIG), false);
    } finally {
      await neighbour.close();
      await peer.close();
      await server.close();
    }
  });

  test("a host with a stream running is told busy, until it ends", async () => {
    const server = await startStreamingChargen();
    const first = await RawPeer.bind();
    const second = await RawPeer.bind();
    try {
      const ask = askFor();
      const secondAsk = askFor();
      // A cookie got before the first stream starts, used while it runs.
      const early = await second.cookie(secondAsk, server.address);
      const { status, cookie } = await first.start(ask, server.address);
      assert.equal(status.state, "streaming");
      second.send(buildStreamOpen(secondAsk), server.address);
      const opened = await second.nextReply(secondAsk.runId);
      assert.equal(opened?.reply.kind === "status" && opened.reply.status.state, "busy");
      const went = await second.status(
        buildStreamGo(secondAsk, early),
        server.address,
        secondAsk.runId,
      );
      assert.equal(went.state, "busy");
      assert.equal(server.sender.streaming, 1);
      await delay(100);
      assert.equal(second.benchDatagrams(), 0);
      const stopped = await first.status(
        buildStreamGo(ask, cookie, true),
        server.address,
        ask.runId,
      );
      assert.equal(stopped.state, "done");
      const again = await second.start(askFor(), server.address);
      assert.equal(again.status.state, "streaming", "busy outlived the first stream");
    } finally {
      await second.close();
      await first.close();
      await server.close();
    }
  });

  test("asks over the limits are refused, with the server's fastest rate", async () => {
    const socket = new CountingSocket(1_472);
    const sender = new StreamSender(socket, { maxBitsPerSecond: 1_000_000 });
    const from = { hostname: "192.0.2.20", port: 40_000 };
    const cases: Array<[string, Partial<StreamAsk>, "cookie" | "refused"]> = [
      ["a rate over the max", { bitsPerSecond: 1_000_001 }, "refused"],
      ["the max rate", { bitsPerSecond: 1_000_000 }, "cookie"],
      ["no rate", { bitsPerSecond: 0 }, "refused"],
      ["a rate that is not a number", { bitsPerSecond: NaN }, "refused"],
      ["19-byte datagrams", { datagramBytes: 19 }, "refused"],
      ["20-byte datagrams", { datagramBytes: 20 }, "cookie"],
      ["datagrams at the socket's limit", { datagramBytes: 1_472 }, "cookie"],
      ["datagrams over it", { datagramBytes: 1_473 }, "refused"],
      ["no time", { durationMs: 0 }, "refused"],
      ["a day", { durationMs: 86_400_000 }, "cookie"],
      ["over a day", { durationMs: 86_400_001 }, "refused"],
    ];
    try {
      for (const [what, overrides, expected] of cases) {
        const ask = askFor(overrides);
        const reply = await answerOf(sender, buildStreamOpen(ask), from, ask.runId);
        if (expected === "cookie") {
          assert.equal(reply.kind, "cookie", what);
          continue;
        }
        assert.equal(reply.kind === "status" && reply.status.state, "refused", what);
        assert.equal(reply.kind === "status" && reply.status.detail, 1_000_000, what);
      }
      assert.equal(sender.streaming, 0);
      assert.equal(socket.sentTo.size, 0);
    } finally {
      sender.close();
    }
  });

  test("four streams run at once; a fifth host is told busy", async () => {
    const socket = new CountingSocket();
    const sender = new StreamSender(socket);
    const host = (i: number) => ({ hostname: `192.0.2.${i}`, port: 50_000 + i });
    try {
      const fifthAsk = askFor();
      const early = await answerOf(sender, buildStreamOpen(fifthAsk), host(5), fifthAsk.runId);
      assert.equal(early.kind, "cookie");
      const asks = [1, 2, 3, 4].map(() => askFor());
      const cookies: StreamCookie[] = [];
      for (let i = 1; i <= 4; i++) {
        const { status, cookie } = await streamFrom(sender, host(i), asks[i - 1]!);
        assert.equal(status.state, "streaming", `host ${i}`);
        cookies.push(cookie!);
      }
      assert.equal(sender.streaming, 4);
      assert.equal((await streamFrom(sender, host(5), askFor())).status.state, "busy");
      const v6 = { hostname: "2001:db8::5", port: 50_005 };
      assert.equal((await streamFrom(sender, v6, askFor())).status.state, "busy");
      if (early.kind === "cookie") {
        const went = await answerOf(
          sender,
          buildStreamGo(fifthAsk, early.cookie),
          host(5),
          fifthAsk.runId,
        );
        assert.equal(went.kind === "status" && went.status.state, "busy");
      }
      assert.equal(sender.streaming, 4);
      const fed = () =>
        [1, 2, 3, 4].every((i) => (socket.sentTo.get(`192.0.2.${i} ${50_000 + i}`) ?? 0) > 0);
      assert.ok(await waitFor(fed, 2_000), "the four streams did not send");
      assert.equal(socket.sentTo.size, 4, "datagrams went to an address with no stream");
      assert.equal(socket.unvalidatedSends, 0, "datagrams went to an address not validated");
      // One ends: the fifth is served.
      const stopped = await answerOf(
        sender,
        buildStreamGo(asks[0]!, cookies[0]!, true),
        host(1),
        asks[0]!.runId,
      );
      assert.equal(stopped.kind === "status" && stopped.status.state, "done");
      assert.equal((await streamFrom(sender, host(5), askFor())).status.state, "streaming");
    } finally {
      sender.close();
      await waitFor(() => sender.streaming === 0, 2_000);
    }
    assert.equal(sender.streaming, 0);
    assert.equal(socket.validatedNow, 0, "an address stayed exempt after its stream");
  });

  test(
    "a stream lasts while its client sends GO, and ends within about its consent after",
    SLOW,
    async () => {
      // The default is 3 s; a shorter one keeps the test short, the rule is the same.
      const server = await startStreamingChargen({ streams: { consentMs: 1000 } });
      const peer = await RawPeer.bind();
      try {
        const ask = askFor({ durationMs: 30_000 });
        const { status, cookie } = await peer.start(ask, server.address);
        assert.equal(status.state, "streaming");
        const go = buildStreamGo(ask, cookie);
        // 2.4 s of GOs, past the 1 s a GO's consent lasts.
        for (let i = 0; i < 12; i++) {
          await delay(200);
          const state = (await peer.status(go, server.address, ask.runId)).state;
          assert.equal(state, "streaming", `${200 * (i + 1)} ms of GOs did not keep it going`);
        }
        const ended = await waitFor(() => server.events.length > 1, 2_500);
        assert.ok(ended, "the stream went on 2.5 s after its client's last GO");
        const end = server.events.at(-1)!;
        assert.equal(end.kind, "lapsed");
        assert.equal(server.sender.streaming, 0);
        await delay(100);
        const arrived = peer.benchDatagrams(ask.runId);
        await delay(300);
        assert.equal(peer.benchDatagrams(ask.runId), arrived, "datagrams still came");
        const final = await peer.status(go, server.address, ask.runId);
        assert.equal(final.state, "done");
        assert.equal(final.sentDatagrams, end.sentDatagrams);
        assert.equal(final.sentBytes, final.sentDatagrams * ask.datagramBytes);
        assert.ok(arrived > 0 && final.sentDatagrams >= arrived, `${arrived} arrived`);
      } finally {
        await peer.close();
        await server.close();
      }
    },
  );

  test("STOP ends a stream at once", async () => {
    const server = await startStreamingChargen();
    const peer = await RawPeer.bind();
    try {
      const ask = askFor();
      const { cookie } = await peer.start(ask, server.address);
      assert.ok(await waitFor(() => peer.benchDatagrams(ask.runId) > 0, 2_000));
      const stopped = await peer.status(
        buildStreamGo(ask, cookie, true),
        server.address,
        ask.runId,
      );
      assert.equal(stopped.state, "done");
      assert.equal(server.sender.streaming, 0);
      const end = server.events.at(-1)!;
      assert.equal(end.kind, "stopped");
      assert.equal(stopped.sentDatagrams, end.sentDatagrams);
      await delay(100);
      const arrived = peer.benchDatagrams(ask.runId);
      await delay(300);
      assert.equal(peer.benchDatagrams(ask.runId), arrived, "datagrams still came");
      assert.ok(stopped.sentDatagrams >= arrived);
    } finally {
      await peer.close();
      await server.close();
    }
  });
  test("another host churning streams cannot make a finished stream's GO start it again", async () => {
    const socket = new CountingSocket();
    const sender = new StreamSender(socket);
    const a = { hostname: "192.0.2.1", port: 1111 };
    const askA = askFor({ datagrams: 1 });
    try {
      const first = await streamFrom(sender, a, askA);
      assert.equal(first.status.state, "streaming");
      assert.ok(await waitFor(() => sender.streaming === 0, 2000));
      // 300 streams started and ended by 30 other hosts, 10 each: more than the
      // server keeps for a host, and as many as each host's cookie budget allows.
      for (let i = 0; i < 300; i++) {
        const churner = { hostname: `198.51.100.${1 + (i % 30)}`, port: 2222 };
        const ask = askFor();
        const { status, cookie } = await streamFrom(sender, churner, ask);
        assert.equal(status.state, "streaming", `stream ${i}`);
        await answerOf(sender, buildStreamGo(ask, cookie!, true), churner, ask.runId);
      }
      // The client's last GO, its cookie still fresh: answered done, and nothing more sent.
      const replay = await answerOf(sender, buildStreamGo(askA, first.cookie!), a, askA.runId);
      assert.equal(replay.kind === "status" && replay.status.state, "done");
      await delay(200);
      assert.equal(socket.sentTo.get("192.0.2.1 1111"), 1);
      assert.equal(sender.streaming, 0);
    } finally {
      sender.close();
    }
  });
  test("a flood of OPENs and forged GOs costs the server a bounded number of cookies, and stops nobody", async () => {
    const socket = new CountingSocket();
    const sender = new StreamSender(socket);
    const a = { hostname: "192.0.2.1", port: 1111 };
    const flooder = { hostname: "192.0.2.66", port: 6666 };
    try {
      const askA = askFor({ durationMs: 30_000 });
      const first = await streamFrom(sender, a, askA);
      assert.equal(first.status.state, "streaming");
      // One host floods: 2,000 OPENs and 2,000 GOs with forged cookies, at once.
      const floodAsk = askFor();
      const forged = buildStreamGo(floodAsk, { issuedAtS: 1, mac: new Uint8Array(16) });
      const answers = await Promise.all(
        Array.from(
          { length: 4000 },
          (_, i) => sender.take(i % 2 === 0 ? buildStreamOpen(floodAsk) : forged, flooder),
        ),
      );
      const answered = answers.filter((answer) => answer !== null).length;
      // A host's budget is 20 cookies a second: the rest is dropped, unanswered.
      assert.ok(answered <= 25, `${answered} of 4000 answered`);
      // A's stream goes on: its GO is the one that started it, and needs no cookie checked.
      const kept = await answerOf(sender, buildStreamGo(askA, first.cookie!), a, askA.runId);
      assert.equal(kept.kind === "status" && kept.status.state, "streaming");
      // And a third host still starts one.
      const third = await streamFrom(sender, { hostname: "192.0.2.3", port: 3 }, askFor());
      assert.equal(third.status.state, "streaming");
      // Forged sources from many hosts share one budget, 1,000 a second.
      const spoofed = await Promise.all(
        Array.from(
          { length: 3000 },
          (_, i) =>
            sender.take(buildStreamOpen(askFor()), {
              hostname: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
              port: 9,
            }),
        ),
      );
      const cookies = spoofed.filter((answer) => answer !== null).length;
      assert.ok(cookies <= 1100, `${cookies} of 3000 spoofed OPENs answered`);
      assert.ok(cookies > 0, "the global budget answers some");
    } finally {
      sender.close();
    }
  });
});

describe("measureUdpThroughput down", () => {
  const RATE = { bitsPerSecond: 2_000_000, size: 1_000 };

  test("from socklab's chargen: a stream, counted by the server, nothing lost at a low rate", async () => {
    const server = await startStreamingChargen();
    const starts: UdpThroughputStart[] = [];
    try {
      const result = await measureUdpThroughput(
        { host: LOCAL, port: server.address.port, direction: "down", ...RATE, seconds: 0.5 },
        { onStart: (start) => starts.push(start) },
      );
      assert.equal(result.failure, undefined);
      assert.equal(result.downMode, "stream");
      assert.equal(starts[0]?.downMode, "stream");
      assert.equal(result.senderCounted, true);
      assert.equal(result.datagramBytes, 1_000);
      const end = server.events.find((event) => event.kind !== "started");
      assert.equal(end?.kind, "done");
      assert.ok(result.sent.datagrams > 0);
      assert.equal(result.sent.datagrams, end.sentDatagrams);
      assert.equal(result.sent.bytes, result.sent.datagrams * 1_000);
      assert.equal(result.received.datagrams, result.sent.datagrams);
      assert.equal(result.received.bytes, result.sent.bytes);
      assert.equal(result.lost, 0);
      assert.equal(result.lossPercent, 0);
      assert.equal(result.duplicates, 0);
      assert.equal(typeof result.jitterMs, "number");
      assert.equal(result.echoedRequests, false);
      assert.ok(result.intervals.length > 0);
      for (const interval of result.intervals) {
        assert.equal(typeof interval.lost, "number");
        assert.equal(typeof interval.lossPercent, "number");
        // As iperf3 -R's receiver: the jitter so far, each interval.
        assert.ok(Number.isFinite(interval.jitterMs) && interval.jitterMs! >= 0, "interval jitter");
      }
    } finally {
      await server.close();
    }
  });

  test("faults on this side drop the stream's data, never its control: all lost, still a stream", async () => {
    const server = await startStreamingChargen();
    const faults = new UdpFaults({
      dropPercent: 100,
      delayMs: 0,
      jitterMs: 0,
      dupPercent: 0,
      reorderPercent: 0,
      seed: 3,
    });
    try {
      const result = await measureUdpThroughput({
        host: LOCAL,
        port: server.address.port,
        direction: "down",
        ...RATE,
        seconds: 0.5,
        faults,
      });
      // A dropped OPEN or GO would have made it fall back to requests, or lapse.
      assert.equal(result.downMode, "stream");
      assert.equal(result.senderCounted, true);
      assert.ok(result.sent.datagrams > 0);
      assert.equal(result.received.datagrams, 0);
      assert.equal(result.lost, result.sent.datagrams);
      assert.equal(faults.stats.droppedOnReceive, result.sent.datagrams);
      assert.equal(result.failure, "no answers");
    } finally {
      await server.close();
    }
  });

  test("a count of 50 datagrams: the server sends exactly 50", async () => {
    const server = await startStreamingChargen();
    try {
      const result = await measureUdpThroughput({
        host: LOCAL,
        port: server.address.port,
        direction: "down",
        ...RATE,
        count: { datagrams: 50 },
      });
      assert.equal(result.downMode, "stream");
      assert.equal(result.senderCounted, true);
      assert.equal(result.sent.datagrams, 50);
      assert.equal(server.events.find((event) => event.kind === "done")?.sentDatagrams, 50);
      assert.ok(result.received.datagrams > 0 && result.received.datagrams <= 50);
      assert.equal(result.lost, 50 - result.received.datagrams);
    } finally {
      await server.close();
    }
  });

  test("over IPv6: a stream too", async () => {
    const server = await startStreamingChargen({ host: "::1" });
    try {
      const result = await measureUdpThroughput({
        host: "::1",
        port: server.address.port,
        direction: "down",
        ...RATE,
        count: { datagrams: 20 },
      });
      assert.equal(result.downMode, "stream");
      assert.equal(result.senderCounted, true);
      assert.equal(result.sent.datagrams, 20);
      assert.equal(server.events[0]?.to.hostname, "::1");
      assert.ok(result.received.datagrams > 0);
    } finally {
      await server.close();
    }
  });

  test("from an echo server: the requests came back, and it says so", async () => {
    const server = await serveUdp({ host: LOCAL, port: 0 }, echo);
    try {
      const result = await measureUdpThroughput({
        host: LOCAL,
        port: server.localAddress.port,
        direction: "down",
        bitsPerSecond: 1_000_000,
        size: 1_000,
        count: { datagrams: 10 },
      });
      assert.equal(result.downMode, "requests");
      assert.equal(result.echoedRequests, true);
    } finally {
      await server.close();
    }
  });

  test("over the server's limits, or while the host streams: stream refused, and why", async () => {
    const server = await startStreamingChargen({ streams: { maxBitsPerSecond: 1_000_000 } });
    const peer = await RawPeer.bind();
    const run = { host: LOCAL, port: server.address.port, direction: "down" as const, seconds: 1 };
    try {
      const over = await measureUdpThroughput({ ...run, ...RATE });
      assert.equal(over.failure, "stream refused");
      assert.deepEqual(over.streamRefusal, { state: "refused", maxBitsPerSecond: 1_000_000 });
      assert.equal(over.sent.datagrams, 0);
      const held = askFor();
      const { status, cookie } = await peer.start(held, server.address);
      assert.equal(status.state, "streaming");
      const busy = await measureUdpThroughput({ ...run, bitsPerSecond: 500_000, size: 1_000 });
      assert.equal(busy.failure, "stream refused");
      assert.equal(busy.streamRefusal?.state, "busy");
      peer.send(buildStreamGo(held, cookie, true), server.address);
      assert.equal(
        server.events.filter((event) => event.kind === "started").length,
        1,
        "a refused run started a stream",
      );
    } finally {
      await peer.close();
      await server.close();
    }
  });

  test("a run aborted mid-way stops the server's stream at once", async () => {
    const server = await startStreamingChargen();
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const begun = performance.now();
      const result = await measureUdpThroughput(
        {
          host: LOCAL,
          port: server.address.port,
          direction: "down",
          ...RATE,
          seconds: 10,
          signal: controller.signal,
        },
        { onStart: () => void (timer = setTimeout(() => controller.abort(), 500)) },
      );
      const tookMs = performance.now() - begun;
      assert.ok(tookMs < 5_000, `the run took ${tookMs} ms`);
      const end = server.events.find((event) => event.kind !== "started");
      assert.equal(end?.kind, "stopped", "the server did not hear a STOP");
      assert.equal(server.sender.streaming, 0);
      assert.equal(result.senderCounted, true);
      assert.equal(result.sent.datagrams, end.sentDatagrams);
      const intervals: UdpThroughputInterval[] = result.intervals;
      assert.ok(intervals.at(-1)!.end < 5, "the run was not cut short");
    } finally {
      clearTimeout(timer);
      await server.close();
    }
  });
});
