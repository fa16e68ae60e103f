import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  bindUdp,
  MAX_UDP_PAYLOAD_IPV4,
  MAX_UDP_PAYLOAD_IPV6,
  NetError,
  serveUdp,
  type UdpEndpoint,
} from "../mod.ts";
import { runtime } from "../src/net/runtime.ts";
import { closedPort, patternBytes } from "./helpers/net_fixtures.ts";

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
      assert.equal((await client.receive(5000))?.message.text, "ok fine");
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
