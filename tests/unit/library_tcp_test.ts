import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type Client,
  connect,
  type Connection,
  type ConnectOptions,
  echo,
  FramingError,
  type MessageHandler,
  serve,
  type ServeOptions,
  type Server,
} from "../../mod.ts";
import { runtime } from "../../src/net/runtime.ts";
import { patternBytes, Recorder, within } from "../helpers/net_fixtures.ts";

const MiB = 1024 * 1024;
const utf8 = new TextEncoder();

/** Runs `body` with a server and closes the server (and any leftover clients) afterwards. */
async function withServer(
  options: ServeOptions,
  handler: MessageHandler,
  body: (
    server: Server,
    open: (extra?: Partial<ConnectOptions>) => Promise<Connection>,
  ) => Promise<void>,
): Promise<void> {
  const server = await serve(options, handler);
  const connections: Connection[] = [];
  const open = async (extra: Partial<ConnectOptions> = {}) => {
    const connection = await connect({
      host: server.address.hostname,
      port: server.address.port,
      framing: options.framing,
      maxFrameBytes: options.maxFrameBytes,
      ...extra,
    });
    connections.push(connection);
    return connection;
  };
  try {
    await body(server, open);
  } finally {
    for (const connection of connections) connection.close();
    await within(server.close(), 10_000, "server.close()");
    await within(Promise.all(connections.map((c) => c.closed)), 5000, "clients closed");
  }
}

async function receiveText(connection: Connection, ms = 10_000): Promise<string | null> {
  const message = await connection.receive(ms);
  return message === null ? null : message.text;
}

/** Waits until `condition` holds, polling; fails with `what` after `ms`. */
async function eventually(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe(`serve and connect (${runtime.name})`, () => {
  test("serve answers 50 clients x 100 messages, each its own replies in order", async () => {
    const handler: MessageHandler = (message, client) => `${client.id}:${message.text}`;
    await withServer({}, handler, async (server, open) => {
      const clients = await Promise.all(Array.from({ length: 50 }, () => open()));
      await Promise.all(clients.map(async (connection, c) => {
        for (let i = 0; i < 100; i++) connection.send(`c${c}-m${i}`);
        let prefix: string | undefined;
        for (let i = 0; i < 100; i++) {
          const reply = await receiveText(connection);
          assert.ok(reply, `client ${c} ended early`);
          const [id, body] = reply.split(":");
          prefix ??= id;
          assert.equal(id, prefix, "replies from one server-side client");
          assert.equal(body, `c${c}-m${i}`);
        }
      }));
      assert.equal(server.stats.messagesIn, 5000);
      assert.equal(server.stats.connections, 50);
      assert.equal(server.clients.size, 50);
    });
  });

  test("serve with length framing echoes a 1 MiB binary message intact", async () => {
    const options: ServeOptions = { framing: "length", maxFrameBytes: 2 * MiB };
    await withServer(options, (message) => message.bytes, async (_server, open) => {
      const connection = await open();
      const payload = patternBytes(MiB);
      connection.send(payload);
      connection.send(new Uint8Array(0));
      const reply = await connection.receive(20_000);
      assert.ok(reply);
      assert.equal(reply.size, MiB);
      assert.deepEqual(reply.bytes, payload);
      assert.equal((await connection.receive(5000))?.size, 0);
    });
  });

  for (const framing of ["line", "length"] as const) {
    test(`Connection.end half-closes and every reply still arrives (${framing})`, async () => {
      await withServer({ framing }, (m) => `re ${m.text}`, async (server, open) => {
        const connection = await open();
        for (let i = 0; i < 2000; i++) connection.send(`msg ${i}`);
        await connection.end();
        for (let i = 0; i < 2000; i++) assert.equal(await receiveText(connection), `re msg ${i}`);
        // The server answered everything and then finished: the stream ends cleanly.
        assert.equal(await connection.receive(5000), null);
        assert.equal(await within(connection.closed, 5000, "closed"), undefined);
        assert.equal(server.stats.messagesOut, 2000);
      });
    });
  }

  test("serve answers an unterminated last line sent before a half-close", async () => {
    await withServer({}, (m) => `re ${m.text}`, async (_server, open) => {
      const connection = await open({ framing: "length" });
      // Raw bytes for the line framing: "a\nb" with no final newline.
      const raw = await runtime.connectTcp(connection.remoteAddress);
      const events = new Recorder();
      raw.start(events);
      try {
        raw.write(utf8.encode("a\r\nb"));
        await raw.closeWrite();
        await within(events.ended, 5000, "end");
        assert.equal(new TextDecoder().decode(events.bytes()), "re a\nre b\n");
      } finally {
        raw.close();
        await within(events.closed, 5000, "raw close");
      }
    });
  });

  test("serve and connect work over IPv6 ::1", async () => {
    await withServer({ host: "::1" }, (m) => m.text.toUpperCase(), async (server, open) => {
      assert.equal(server.address.hostname, "::1");
      const connection = await open({ host: "::1" });
      assert.equal(connection.remoteAddress.hostname, "::1");
      connection.send("over six");
      assert.equal(await receiveText(connection), "OVER SIX");
    });
  });

  test("serve keeps per-client order with async handlers of varying delay", async () => {
    const handler: MessageHandler = async (message) => {
      const n = Number(message.text.split(" ")[1]);
      // Later messages finish first unless the server serialises them.
      await new Promise((resolve) => setTimeout(resolve, (7 - (n % 7)) * 2));
      return `done ${message.text}`;
    };
    await withServer({}, handler, async (_server, open) => {
      const clients = await Promise.all(Array.from({ length: 5 }, () => open()));
      await Promise.all(clients.map(async (connection, c) => {
        for (let i = 0; i < 30; i++) connection.send(`${c} ${i}`);
        for (let i = 0; i < 30; i++) assert.equal(await receiveText(connection), `done ${c} ${i}`);
      }));
    });
  });

  test("serve answers a throwing handler with an error line and keeps the connection", async () => {
    const errors: Error[] = [];
    const handler: MessageHandler = async (message) => {
      if (message.text === "boom") throw new Error("kaboom");
      if (message.text === "async boom") {
        await Promise.resolve();
        throw new Error("later kaboom");
      }
      return `ok ${message.text}`;
    };
    await withServer({ onError: (e) => errors.push(e) }, handler, async (_server, open) => {
      const connection = await open();
      for (const text of ["a", "boom", "b", "async boom", "c"]) connection.send(text);
      assert.equal(await receiveText(connection), "ok a");
      assert.equal(await receiveText(connection), "error: kaboom");
      assert.equal(await receiveText(connection), "ok b");
      assert.equal(await receiveText(connection), "error: later kaboom");
      assert.equal(await receiveText(connection), "ok c");
      assert.deepEqual(errors.map((e) => e.message), ["kaboom", "later kaboom"]);
    });
  });

  test("serve turns any handler error into one framable error line", async () => {
    const handler: MessageHandler = (message) => {
      if (message.text === "newline") throw new Error("first\r\nsecond");
      if (message.text === "long") throw new Error("é".repeat(40));
      if (message.text === "not an error") throw "plain string";
      if (message.text === "bad reply") return "has\nnewline";
      return "x".repeat(100);
    };
    await withServer({ maxFrameBytes: 32 }, handler, async (_server, open) => {
      const connection = await open();
      for (const text of ["newline", "long", "not an error", "bad reply", "too big", "newline"]) {
        connection.send(text);
      }
      assert.equal(await receiveText(connection), "error: first second");
      const long = (await connection.receive(5000))?.bytes;
      assert.ok(long && long.length <= 32, `error line of ${long?.length} bytes`);
      assert.match(new TextDecoder("utf-8", { fatal: true }).decode(long), /^error: é+$/);
      assert.equal(await receiveText(connection), "error: plain string");
      assert.match((await receiveText(connection)) ?? "", /^error: a line message cannot/);
      assert.match((await receiveText(connection)) ?? "", /^error: message of 100 bytes/);
      assert.equal(await receiveText(connection), "error: first second");
    });
  });

  test("serve answers a handler reading .text of invalid UTF-8 with an error and goes on", async () => {
    await withServer({}, (m) => `len ${m.text.length}`, async (_server, open) => {
      const connection = await open();
      connection.send(new Uint8Array([0x68, 0xff, 0xfe, 0x69]));
      connection.send("fine");
      const reply = await receiveText(connection);
      assert.match(reply ?? "", /^error: .*not valid UTF-8/);
      assert.equal(await receiveText(connection), "len 4");
    });
  });

  for (const framing of ["line", "length"] as const) {
    test(`serve rejects an oversized frame on one connection only (${framing})`, async () => {
      const errors: Error[] = [];
      const options: ServeOptions = { framing, maxFrameBytes: 64, onError: (e) => errors.push(e) };
      await withServer(options, (m) => `ok ${m.text}`, async (server, open) => {
        const good = await open();
        const bad = await open({ maxFrameBytes: 1024 });
        good.send("before");
        assert.equal(await receiveText(good), "ok before");
        bad.send("fits");
        bad.send("x".repeat(200));
        assert.equal(await receiveText(bad), "ok fits");
        assert.match((await receiveText(bad)) ?? "", /^error: .*200 bytes exceeds/);
        assert.equal(await bad.receive(5000), null);
        good.send("after");
        assert.equal(await receiveText(good), "ok after");
        assert.ok(errors.some((e) => e instanceof FramingError && e.code === "FRAME_TOO_LARGE"));
        await eventually(() => server.clients.size === 1, "the bad client to be forgotten");
      });
    });
  }

  // The echo handler takes the run-at-a-time path; what goes back must be what a handler would send.
  test("serve with echo answers pipelined, split and CRLF lines, then an oversized one", async () => {
    const options: ServeOptions = { maxFrameBytes: 40, onError: () => {} };
    await withServer(options, echo, async (server, open) => {
      const raw = await runtime.connectTcp((await open()).remoteAddress);
      const events = new Recorder();
      raw.start(events);
      try {
        raw.write(utf8.encode("a\nbb\r\ncc"));
        await events.receivedAtLeast(5);
        raw.write(utf8.encode(`c\n\n${"f".repeat(40)}\n${"x".repeat(41)}\nlost\n`));
        await within(events.ended, 5000, "the server's FIN");
        const text = new TextDecoder().decode(events.bytes());
        const echoed = `a\nbb\nccc\n\n${"f".repeat(40)}\n`;
        assert.equal(text.slice(0, echoed.length), echoed);
        assert.match(text.slice(echoed.length), /^error: line of 41 bytes exceeds/);
        assert.equal(server.stats.messagesIn, 5);
        assert.equal(server.stats.messagesOut, 6, "five echoes and the error line");
      } finally {
        raw.close();
        await within(events.closed, 5000, "raw close");
      }
    });
  });

  // Frames larger than a read arrive in pieces; echo sends the pieces back uncopied.
  test("serve with echo returns length frames of every size intact and in order", async () => {
    const options: ServeOptions = { framing: "length", maxFrameBytes: MiB };
    await withServer(options, echo, async (server, open) => {
      const connection = await open();
      const sizes = [0, 1, 1000, 16 * 1024, 70_000, MiB, 5, 300_000, 64 * 1024];
      const payloads = sizes.map((size, i) => patternBytes(size + i).subarray(i));
      for (const payload of payloads) connection.send(payload);
      for (const [i, payload] of payloads.entries()) {
        const reply = await connection.receive(20_000);
        assert.equal(reply?.size, payload.length, `reply ${i}`);
        assert.deepEqual(reply?.bytes, payload, `reply ${i}`);
      }
      assert.equal(server.stats.messagesOut, sizes.length);
      assert.equal(server.stats.bytesOut, sizes.reduce((sum, size) => sum + size + 4, 0));
    });
  });

  test("handlers get plain Uint8Array bytes, not a runtime's Buffer", async () => {
    const prototypes: unknown[] = [];
    const handler: MessageHandler = (message) => {
      prototypes.push(Object.getPrototypeOf(message.bytes));
      return message.bytes.slice();
    };
    await withServer({}, handler, async (_server, open) => {
      const connection = await open();
      connection.send("one");
      const reply = await connection.receive(5000);
      assert.equal(reply?.text, "one");
      assert.equal(Object.getPrototypeOf(reply?.bytes), Uint8Array.prototype);
      assert.deepEqual(prototypes, [Uint8Array.prototype]);
    });
  });

  test("Connection.send rejects what its framing cannot carry, before sending", async () => {
    await withServer({ maxFrameBytes: 8 }, (m) => m.text, async (_server, open) => {
      const connection = await open();
      assert.throws(() => connection.send("a\nb"), (e: unknown) => {
        return e instanceof FramingError && e.code === "INVALID_FRAME";
      });
      assert.throws(() => connection.send("123456789"), (e: unknown) => {
        return e instanceof FramingError && e.code === "FRAME_TOO_LARGE";
      });
      connection.send("12345678");
      assert.equal(await receiveText(connection), "12345678");
    });
  });

  test("Server.close with clients connected resolves and the clients see the end", async () => {
    const disconnected: Client[] = [];
    const options: ServeOptions = { onDisconnect: (client) => disconnected.push(client) };
    const server = await serve(options, (m) => m.text);
    const connections: Connection[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        connections.push(await connect({ port: server.address.port }));
      }
      for (const connection of connections) connection.send("hi");
      for (const connection of connections) assert.equal(await receiveText(connection), "hi");
      await within(server.close(), 5000, "server.close()");
      assert.equal(server.clients.size, 0);
      assert.equal(disconnected.length, 5);
      for (const connection of connections) {
        assert.equal(await connection.receive(5000), null);
      }
      // Closed servers refuse new connections.
      await assert.rejects(connect({ port: server.address.port }));
    } finally {
      for (const connection of connections) connection.close();
      await server.close();
      await Promise.all(connections.map((c) => c.closed));
    }
  });

  test("serve stops reading from a client that does not read its replies", async () => {
    await withServer({}, (m) => m.bytes, async (server, open) => {
      // A raw client, so nothing on its side reads the echoes once it pauses.
      const raw = await runtime.connectTcp(server.address);
      const events = new Recorder();
      let resume!: () => void;
      events.pause = new Promise((resolve) => (resume = resolve));
      raw.start(events);
      try {
        const line = utf8.encode("y".repeat(1023) + "\n");
        const total = 64 * MiB;
        for (let sent = 0; sent < total; sent += line.length) raw.write(line);
        // Let the server go as far as it will.
        let seen = -1;
        await eventually(
          () => {
            const now = server.stats.bytesIn;
            const still = now === seen;
            seen = now;
            return still;
          },
          "the server to stop reading",
          20_000,
        );
        assert.ok(
          server.stats.bytesIn < total / 2,
          `server took ${server.stats.bytesIn} of ${total} bytes from a client that never reads`,
        );
        assert.ok(raw.bufferedBytes > 0, "the rest waits on the sender's side");
        // Meanwhile another client is served as usual.
        const other = await open();
        other.send("still there?");
        assert.equal(await receiveText(other), "still there?");
        // Once the client reads again, every byte it sent comes back.
        events.pause = undefined;
        resume();
        await events.receivedAtLeast(total, 30_000);
        assert.equal(events.received, total);
      } finally {
        raw.close();
        await within(events.closed, 5000, "raw close");
      }
    });
  });

  test("serve survives a peer reset in the middle of a frame", async () => {
    const disconnects: (Error | undefined)[] = [];
    const options: ServeOptions = {
      framing: "length",
      onDisconnect: (_client, error) => disconnects.push(error),
    };
    await withServer(options, (m) => m.bytes, async (server, open) => {
      const raw = await runtime.connectTcp(server.address);
      const events = new Recorder();
      events.pause = new Promise(() => {});
      raw.start(events);
      try {
        // Two echoes come back; the client takes the first and leaves the second unread,
        // so its close below is abrupt (RST), and the server is left mid-frame.
        raw.write(new Uint8Array([0, 0, 0, 1, 7]));
        await events.receivedAtLeast(5);
        raw.write(new Uint8Array([0, 0, 0, 1, 8, 0, 0, 0, 100, 1, 2, 3]));
        await eventually(() => server.stats.messagesOut === 2, "second echo");
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        raw.close();
        await within(events.closed, 5000, "raw close");
      }
      await eventually(() => disconnects.length === 1, "the reset client to be forgotten");
      assert.equal(server.clients.size, 0);
      const other = await open();
      other.send(new Uint8Array([1, 2, 3]));
      assert.deepEqual((await other.receive(5000))?.bytes, new Uint8Array([1, 2, 3]));
    });
  });

  test("Client.send pushes messages outside request/reply and Client.close flushes them", async () => {
    const options: ServeOptions = {
      onConnect(client) {
        client.send("welcome");
        client.send(new Uint8Array([0x62, 0x79, 0x65]));
        void client.close();
      },
    };
    await withServer(options, () => undefined, async (_server, open) => {
      const connection = await open();
      assert.equal(await receiveText(connection), "welcome");
      assert.equal(await receiveText(connection), "bye");
      assert.equal(await connection.receive(5000), null);
    });
  });

  test("Connection.receive times out with TIMED_OUT and a late reply stays for the next call", async () => {
    const handler: MessageHandler = async (m) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return m.text;
    };
    await withServer({}, handler, async (_server, open) => {
      const connection = await open();
      connection.send("slow");
      await assert.rejects(connection.receive(20), (e: unknown) => {
        return e instanceof Error && (e as { code?: string }).code === "TIMED_OUT";
      });
      assert.equal(await receiveText(connection, 5000), "slow");
    });
  });

  test("serve rejects a taken port with ADDRESS_IN_USE and connect a closed one with CONNECTION_REFUSED", async () => {
    const server = await serve({}, () => undefined);
    const { port } = server.address;
    try {
      await assert.rejects(serve({ port }, () => undefined), (e: unknown) => {
        return (e as { code?: string }).code === "ADDRESS_IN_USE";
      });
    } finally {
      await server.close();
    }
    await assert.rejects(connect({ port }), (e: unknown) => {
      return (e as { code?: string }).code === "CONNECTION_REFUSED";
    });
    // Once close() resolves, the port can be served again right away.
    const again = await serve({ port }, () => undefined);
    await again.close();
  });
});
