import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  bindUdp,
  type CidrRange,
  MAX_UDP_PAYLOAD_IPV4,
  MAX_UDP_PAYLOAD_IPV6,
  NetError,
  parseCidr,
  type Peer,
  type RefusalCode,
  serveUdp,
  type SocketAddress,
  type TraceEvent,
  type UdpEndpoint,
} from "../../mod.ts";
import { runtime } from "../../src/net/runtime.ts";
import { closedPort, patternBytes, within } from "../helpers/net_fixtures.ts";

/** Runs `body` with endpoints it opens through `open`, closing them all afterwards. */
async function withEndpoints(
  body: (open: (endpoint: Promise<UdpEndpoint>) => Promise<UdpEndpoint>) => Promise<void>,
): Promise<void> {
  const endpoints: UdpEndpoint[] = [];
  try {
    await body(async (opening) => {
      const endpoint = await opening;
      endpoints.push(endpoint);
      return endpoint;
    });
  } finally {
    for (const endpoint of endpoints) endpoint.close();
    // Lets Deno settle the receive ops that close() interrupted (op sanitizer).
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function isNetError(code: string): (error: unknown) => boolean {
  return (error) => error instanceof NetError && error.code === code;
}

describe(`bindUdp and serveUdp (${runtime.name})`, () => {
  for (const host of ["127.0.0.1", "::1"]) {
    test(`serveUdp answers each of many clients over ${host}`, async () => {
      await withEndpoints(async (open) => {
        const server = await open(serveUdp({ host }, (message) => message.text.toUpperCase()));
        const clients = await Promise.all(
          Array.from({ length: 20 }, () => open(bindUdp({ host }))),
        );
        for (const [i, client] of clients.entries()) {
          client.send(`client ${i}`, server.localAddress);
        }
        for (const [i, client] of clients.entries()) {
          const reply = await client.receive(5000);
          assert.equal(reply?.message.text, `CLIENT ${i}`);
          assert.deepEqual(reply?.from, server.localAddress);
        }
        assert.equal(server.stats.datagramsIn, 20);
        assert.equal(server.stats.datagramsOut, 20);
      });
    });
  }

  test("serveUdp answers a burst from one client, every reply in the order it was asked", async () => {
    await withEndpoints(async (open) => {
      const server = await open(serveUdp({}, (message) => message.text.toUpperCase()));
      const client = await open(bindUdp({}));
      // More than one batch of replies (Bun sends those a read brings in, together), within a default buffer.
      const burst = 150;
      for (let i = 0; i < burst; i++) client.send(`request ${i}`, server.localAddress);
      const replies: string[] = [];
      for (let i = 0; i < burst; i++) {
        const reply = await client.receive(5000);
        if (!reply) break;
        replies.push(reply.message.text);
      }
      assert.deepEqual(replies, Array.from({ length: burst }, (_, i) => `REQUEST ${i}`));
      assert.equal(server.stats.datagramsOut, burst);
      assert.equal(server.queuedDatagrams, 0);
    });
  });

  test("a reply the system refuses is reported with its address, and the replies around it still go", async () => {
    await withEndpoints(async (open) => {
      const errors: Error[] = [];
      const bad = { hostname: "256.1.2.3", port: 9 };
      const server = await open(bindUdp({
        onError: (error) => errors.push(error),
        onDatagram: ({ message, from }, endpoint) => {
          endpoint.send(`${message.text} first`, from);
          endpoint.send("lost", bad);
          endpoint.send(`${message.text} last`, from);
        },
      }));
      const client = await open(bindUdp({}));
      client.send("a", server.localAddress);
      client.send("b", server.localAddress);
      const replies: (string | undefined)[] = [];
      for (let i = 0; i < 4; i++) replies.push((await client.receive(5000))?.message.text);
      assert.deepEqual(replies, ["a first", "a last", "b first", "b last"]);
      await within(
        (async () => {
          while (errors.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
        })(),
        2000,
        "two send errors",
      );
      assert.equal(errors.length, 2, errors.join("\n"));
      for (const error of errors) {
        assert.ok(error instanceof NetError, String(error));
        assert.equal(error.operation, "send");
        assert.deepEqual(error.address, bad);
      }
    });
  });

  test("serveUdp handlers and receivers get plain Uint8Array bytes, not a runtime's Buffer", async () => {
    await withEndpoints(async (open) => {
      const prototypes: unknown[] = [];
      const server = await open(serveUdp({}, (message) => {
        prototypes.push(Object.getPrototypeOf(message.bytes));
        return message.bytes;
      }));
      const client = await open(bindUdp({}));
      client.send("one", server.localAddress);
      const reply = await client.receive(5000);
      assert.equal(reply?.message.text, "one");
      assert.equal(Object.getPrototypeOf(reply?.message.bytes), Uint8Array.prototype);
      assert.deepEqual(prototypes, [Uint8Array.prototype]);
    });
  });

  test("UdpEndpoint.send carries the largest datagram IPv4 allows, intact", async () => {
    await withEndpoints(async (open) => {
      const a = await open(bindUdp({}));
      const b = await open(bindUdp({}));
      const payload = patternBytes(MAX_UDP_PAYLOAD_IPV4);
      a.send(payload, b.localAddress);
      const got = await b.receive(5000);
      assert.deepEqual(got?.message.bytes, payload);
      assert.equal(b.stats.bytesIn, MAX_UDP_PAYLOAD_IPV4);
    });
  });

  test("UdpEndpoint.send throws MESSAGE_TOO_LARGE before sending anything", async () => {
    await withEndpoints(async (open) => {
      const a = await open(bindUdp({}));
      const b = await open(bindUdp({}));
      const v6 = await open(bindUdp({ host: "::1" }));
      assert.throws(
        () => a.send(new Uint8Array(MAX_UDP_PAYLOAD_IPV4 + 1), b.localAddress),
        isNetError("MESSAGE_TOO_LARGE"),
      );
      assert.throws(
        () => v6.send(new Uint8Array(MAX_UDP_PAYLOAD_IPV6 + 1), v6.localAddress),
        isNetError("MESSAGE_TOO_LARGE"),
      );
      assert.equal(a.stats.datagramsOut, 0);
      assert.equal(a.stats.errors, 0);
      a.send("after", b.localAddress);
      assert.equal((await b.receive(5000))?.message.text, "after");
      // Nothing oversized slipped through before it.
      assert.equal(b.stats.datagramsIn, 1);
    });
  });

  test("UdpEndpoint.send respects a smaller maxDatagramBytes", async () => {
    await withEndpoints(async (open) => {
      const a = await open(bindUdp({ maxDatagramBytes: 10 }));
      assert.throws(() => a.send("12345678901", a.localAddress), isNetError("MESSAGE_TOO_LARGE"));
      a.send("1234567890", a.localAddress);
      assert.equal((await a.receive(5000))?.message.text, "1234567890");
    });
  });

  test("bindUdp rejects a bad maxDatagramBytes with RangeError", async () => {
    for (const bad of [0, -5, 1.5]) {
      await assert.rejects(bindUdp({ maxDatagramBytes: bad }), RangeError);
    }
  });

  test("UdpEndpoint keeps working after sending to a port where nothing listens", async () => {
    await withEndpoints(async (open) => {
      const errors: Error[] = [];
      const a = await open(bindUdp({ onError: (e) => errors.push(e) }));
      const b = await open(bindUdp({}));
      const nowhere = { hostname: "127.0.0.1", port: await closedPort() };
      for (let i = 0; i < 5; i++) {
        a.send("anyone?", nowhere);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The ICMP port unreachable, if the runtime reports it, is counted, never fatal.
      assert.equal(a.stats.errors, errors.length);
      for (const error of errors) assert.ok(error instanceof NetError, String(error));
      b.send("ping", a.localAddress);
      assert.equal((await a.receive(5000))?.message.text, "ping");
      a.send("pong", b.localAddress);
      assert.equal((await b.receive(5000))?.message.text, "pong");
    });
  });

  test("serveUdp survives a throwing handler and invalid UTF-8 read as text", async () => {
    await withEndpoints(async (open) => {
      const errors: Error[] = [];
      const server = await open(
        serveUdp({ onError: (e) => errors.push(e) }, (message) => {
          if (message.text === "boom") throw new Error("kaboom");
          return `ok ${message.text}`;
        }),
      );
      const client = await open(bindUdp({}));
      client.send("boom", server.localAddress);
      client.send(new Uint8Array([0xff, 0xfe]), server.localAddress);
      client.send("fine", server.localAddress);
      // A handler that throws is answered with an error datagram, as a TCP client gets an error line.
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push((await client.receive(5000))?.message.text);
      assert.deepEqual(replies.sort(), [
        "error: kaboom",
        "error: message of 2 bytes is not valid UTF-8 text",
        "ok fine",
      ]);
      assert.equal(server.stats.errors, 2);
      // Deno's sends are not awaited one by one, so two datagrams may overtake each other.
      const codes = errors.map((e) => (e as { code?: string }).code ?? e.message).sort();
      assert.deepEqual(codes, ["INVALID_UTF8", "kaboom"]);
    });
  });

  test("serveUdp sends no reply when the handler returns nothing", async () => {
    await withEndpoints(async (open) => {
      const server = await open(
        serveUdp({}, (message) => (message.text === "quiet" ? undefined : message.text)),
      );
      const client = await open(bindUdp({}));
      client.send("quiet", server.localAddress);
      client.send("loud", server.localAddress);
      assert.equal((await client.receive(5000))?.message.text, "loud");
      assert.equal(server.stats.datagramsIn, 2);
      assert.equal(server.stats.datagramsOut, 1);
    });
  });

  test("UdpEndpoint.receive times out with TIMED_OUT, and close ends a pending receive with null", async () => {
    await withEndpoints(async (open) => {
      const a = await open(bindUdp({}));
      await assert.rejects(a.receive(20), isNetError("TIMED_OUT"));
      const pending = a.receive();
      a.close();
      assert.equal(await pending, null);
      assert.equal(await a.receive(), null);
      a.close();
    });
  });

  test("bindUdp on a taken port rejects with ADDRESS_IN_USE", async () => {
    await withEndpoints(async (open) => {
      const a = await open(bindUdp({}));
      await assert.rejects(bindUdp({ port: a.localAddress.port }), isNetError("ADDRESS_IN_USE"));
      await assert.rejects(bindUdp({ host: "no-such-host.invalid" }), isNetError("HOST_NOT_FOUND"));
    });
  });
});

describe(`serveUdp rules and handlers (${runtime.name})`, () => {
  for (
    const [rule, lists] of [
      ["deny 127.0.0.2", { deny: [parseCidr("127.0.0.2")] }],
      ["allow 127.0.0.1/32", { allow: [parseCidr("127.0.0.1/32")] }],
    ] as [string, { allow?: CidrRange[]; deny?: CidrRange[] }][]
  ) {
    test(`serveUdp with ${rule} does not answer 127.0.0.2, reports it, and answers 127.0.0.1`, async () => {
      await withEndpoints(async (open) => {
        const refusals: [SocketAddress, string, RefusalCode][] = [];
        const traced: TraceEvent[] = [];
        const server = await open(serveUdp({
          ...lists,
          onRefuse: (remote, reason, code) => refusals.push([remote, reason, code]),
          trace: (event) => traced.push(event),
        }, (message) => message.text));
        const outsider = await open(bindUdp({ host: "127.0.0.2" }));
        const insider = await open(bindUdp({}));
        outsider.send("let me in", server.localAddress);
        await assert.rejects(outsider.receive(300), isNetError("TIMED_OUT"));
        insider.send("hello", server.localAddress);
        assert.equal((await insider.receive(5000))?.message.text, "hello");
        assert.deepEqual(refusals, [[
          outsider.localAddress,
          "not allowed by the allow and deny lists",
          "NOT_ALLOWED",
        ]]);
        assert.equal(server.stats.refused, 1);
        assert.equal(server.stats.datagramsIn, 2);
        assert.equal(server.stats.datagramsOut, 1);
        assert.deepEqual(traced.filter((event) => event.type === "refused"), [{
          type: "refused",
          reason: "not allowed by the allow and deny lists",
          code: "NOT_ALLOWED",
        }]);
      });
    });
  }

  test("serveUdp does not answer a datagram over maxDatagramBytes and reports its size", async () => {
    await withEndpoints(async (open) => {
      const oversized: [SocketAddress, number, number][] = [];
      const handled: string[] = [];
      const server = await open(serveUdp({
        maxDatagramBytes: 10,
        onOversized: (remote, bytes, limit) => oversized.push([remote, bytes, limit]),
      }, (message) => {
        handled.push(message.text);
        return message.bytes;
      }));
      const client = await open(bindUdp({}));
      client.send("12345678901", server.localAddress);
      await assert.rejects(client.receive(300), isNetError("TIMED_OUT"));
      client.send("1234567890", server.localAddress);
      assert.equal((await client.receive(5000))?.message.text, "1234567890");
      assert.deepEqual(oversized, [[client.localAddress, 11, 10]]);
      assert.deepEqual(handled, ["1234567890"]);
      assert.equal(server.stats.oversized, 1);
    });
  });

  test("serveUdp reports a reply over maxDatagramBytes with its peer and sends nothing for it", async () => {
    await withEndpoints(async (open) => {
      const errors: [Error, Peer | undefined][] = [];
      const server = await open(serveUdp({
        maxDatagramBytes: 10,
        onError: (error, peer) => errors.push([error, peer]),
      }, (message) => message.text === "big" ? "x".repeat(11) : message.text));
      const client = await open(bindUdp({}));
      client.send("big", server.localAddress);
      client.send("small", server.localAddress);
      assert.equal((await client.receive(5000))?.message.text, "small");
      await assert.rejects(client.receive(200), isNetError("TIMED_OUT"));
      assert.equal(errors.length, 1);
      const [error, peer] = errors[0]!;
      assert.ok(isNetError("MESSAGE_TOO_LARGE")(error), String(error));
      assert.deepEqual(peer?.remoteAddress, client.localAddress);
    });
  });

  test("serveUdp gives the handler a Peer with both ends of the exchange", async () => {
    await withEndpoints(async (open) => {
      const peers: Peer[] = [];
      const server = await open(serveUdp({}, (_message, peer) => {
        peers.push(peer);
        return `${peer.remoteAddress.port}`;
      }));
      const client = await open(bindUdp({}));
      client.send("who am I?", server.localAddress);
      assert.equal((await client.receive(5000))?.message.text, `${client.localAddress.port}`);
      assert.deepEqual(peers, [{
        remoteAddress: client.localAddress,
        localAddress: server.localAddress,
      }]);
    });
  });

  test("serveUdp answers an async handler when it resolves, and a rejection with an error datagram worded by describeError", async () => {
    await withEndpoints(async (open) => {
      const errors: [Error, Peer | undefined][] = [];
      const server = await open(serveUdp({
        onError: (error, peer) => errors.push([error, peer]),
        describeError: (error) => `worded: ${error.message}`,
      }, async (message) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (message.text === "fail") throw new Error("it failed");
        if (message.text === "nothing") return undefined;
        return `late ${message.text}`;
      }));
      const client = await open(bindUdp({}));
      for (const text of ["one", "fail", "nothing", "two"]) client.send(text, server.localAddress);
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push((await client.receive(5000))?.message.text);
      assert.deepEqual(replies.sort(), ["error: worded: it failed", "late one", "late two"]);
      await assert.rejects(client.receive(100), isNetError("TIMED_OUT"));
      assert.equal(errors.length, 1);
      assert.equal(errors[0]![0].message, "it failed");
      assert.deepEqual(errors[0]![1]?.remoteAddress, client.localAddress);
      assert.equal(server.stats.errors, 1);
    });
  });

  test("serveUdp cuts an error datagram to maxDatagramBytes", async () => {
    await withEndpoints(async (open) => {
      const server = await open(serveUdp({ maxDatagramBytes: 16 }, () => {
        throw new Error("a reason far longer than sixteen bytes");
      }));
      const client = await open(bindUdp({}));
      client.send("go", server.localAddress);
      assert.equal((await client.receive(5000))?.message.text, "error: a reason ");
      assert.equal(server.stats.errors, 1);
    });
  });

  test("serveUdp answers nothing after close, even when an async handler settles later", async () => {
    await withEndpoints(async (open) => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let called = 0;
      const server = await open(serveUdp({}, async (message) => {
        called++;
        await held;
        return message.text;
      }));
      const client = await open(bindUdp({}));
      client.send("slow", server.localAddress);
      for (let i = 0; i < 100 && called === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(called, 1);
      await server.close();
      release();
      await held;
      await assert.rejects(client.receive(200), isNetError("TIMED_OUT"));
      assert.equal(server.stats.datagramsOut, 0);
    });
  });
});

describe(`UdpSocket.start (${runtime.name})`, () => {
  test("UdpSocket delivers datagrams that arrived before start(), then later ones", async () => {
    const socket = await runtime.bindUdp({ hostname: "127.0.0.1", port: 0 });
    const sender = await bindUdp({});
    try {
      sender.send("early 1", socket.localAddress);
      sender.send("early 2", socket.localAddress);
      // Time for both to arrive (Bun hands them over at once, Deno's wait in the kernel).
      await new Promise((resolve) => setTimeout(resolve, 100));
      const got: string[] = [];
      let wake: () => void = () => {};
      socket.start({
        message: (data) => {
          got.push(new TextDecoder().decode(data));
          wake();
        },
        error: () => {},
      });
      assert.throws(() => socket.start({ message: () => {}, error: () => {} }), /twice/);
      sender.send("late", socket.localAddress);
      for (let i = 0; i < 100 && got.length < 3; i++) {
        await within(new Promise<void>((resolve) => (wake = resolve)), 5000, "a datagram");
      }
      assert.deepEqual(got, ["early 1", "early 2", "late"]);
    } finally {
      await Promise.all([socket.close(), sender.close()]);
    }
  });
});

describe("library text", () => {
  test("library files outside src/cli/ name no udp.ts server flag", () => {
    const offenders: string[] = [];
    const visit = (dir: URL) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) {
          if (entry.name !== "cli") visit(new URL(`${entry.name}/`, dir));
        } else if (entry.name.endsWith(".ts")) {
          const text = readFileSync(new URL(entry.name, dir), "utf8");
          if (/--(allow|deny|max-datagram)\b/.test(text)) offenders.push(entry.name);
        }
      }
    };
    visit(new URL("../../src/", import.meta.url));
    assert.deepEqual(offenders, []);
  });
});
