import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { concatBytes } from "../../src/bytes/mod.ts";
import { resolveHost } from "../../src/discovery/resolve_host.ts";
import { NetError } from "../../src/net/net_error.ts";
import { runtime } from "../../src/net/runtime.ts";
import type {
  DatagramEvents,
  SocketAddress,
  TcpConnection,
  UdpSocket,
} from "../../src/net/types.ts";
import {
  acceptedPair,
  closedPort,
  connectedPair,
  patternBytes,
  Recorder,
  within,
} from "../helpers/net_fixtures.ts";

const MiB = 1024 * 1024;
const utf8 = new TextEncoder();
const text = new TextDecoder();

function isNetError(code: string): (error: unknown) => boolean {
  return (error) => error instanceof NetError && error.code === code;
}

describe(`runtime adapter (${runtime.name}) TCP`, () => {
  for (const hostname of ["127.0.0.1", "::1"]) {
    test(`connectTcp and listenTcp exchange bytes both ways over ${hostname}`, async () => {
      const pair = await connectedPair(hostname);
      try {
        assert.equal(pair.client.remoteAddress.port, pair.listener.address.port);
        assert.equal(pair.server.remoteAddress.port, pair.client.localAddress.port);
        assert.equal(pair.client.remoteAddress.hostname, hostname);
        pair.client.write(utf8.encode("ping"));
        await pair.serverEvents.receivedAtLeast(4);
        pair.server.write(utf8.encode("pong"));
        await pair.clientEvents.receivedAtLeast(4);
        assert.equal(text.decode(pair.serverEvents.bytes()), "ping");
        assert.equal(text.decode(pair.clientEvents.bytes()), "pong");
      } finally {
        await pair.close();
      }
    });
  }

  // Deno reads into one slab, and reuses its memory (and the chunk's view) only once released.
  for (const release of [false, true]) {
    test(
      `TcpConnection chunks ${
        release ? "released" : "kept"
      } by their receiver each show what was sent, in a ping-pong of equal messages`,
      async () => {
        const pair = await acceptedPair();
        const { client, server } = pair;
        const clientEvents = new Recorder();
        client.start(clientEvents);
        const kept: Uint8Array[] = [];
        const serverClosed = new Promise<void>((resolve) => {
          server.start({
            data: (chunk) => {
              if (release) {
                server.write(chunk);
                server.releaseChunk();
              } else {
                kept.push(chunk);
                server.write(chunk.slice());
              }
            },
            end: () => {},
            close: () => resolve(),
          });
        });
        try {
          const sent: string[] = [];
          for (let i = 0; i < 20; i++) {
            const message = `message ${String(i).padStart(2, "0")}\n`;
            sent.push(message);
            client.write(utf8.encode(message));
            await clientEvents.receivedAtLeast(sent.join("").length);
          }
          assert.equal(text.decode(clientEvents.bytes()), sent.join(""));
          if (!release) assert.equal(kept.map((c) => text.decode(c)).join(""), sent.join(""));
        } finally {
          await pair.close(clientEvents.closed, serverClosed);
        }
      },
    );
  }

  test("TcpConnection.write of 24 MiB queued at once arrives in full and in order", async () => {
    const pair = await connectedPair();
    try {
      const payload = patternBytes(24 * MiB);
      // Several big writes at once: partial writes (Deno) and Bun's write queue both get exercised.
      for (let at = 0; at < payload.length; at += 3 * MiB) {
        pair.client.write(payload.subarray(at, at + 3 * MiB));
      }
      assert.ok(pair.client.bufferedBytes > 0, "the OS cannot take 24 MiB at once");
      await pair.serverEvents.receivedAtLeast(payload.length, 30_000);
      await within(pair.client.flushed(), 5000, "flushed");
      assert.equal(pair.client.bufferedBytes, 0);
      assert.equal(pair.serverEvents.received, payload.length);
      assert.deepEqual(pair.serverEvents.bytes(), payload);
    } finally {
      await pair.close();
    }
  });

  test("TcpConnection.write against a reader that paused keeps the bytes queued, not lost", async () => {
    const pair = await connectedPair();
    try {
      let resume!: () => void;
      pair.serverEvents.pause = new Promise((resolve) => (resume = resolve));
      const payload = patternBytes(16 * MiB, 3);
      pair.client.write(payload);
      await pair.serverEvents.receivedAtLeast(1);
      // The receiver stopped reading: what the kernel cannot hold waits in the sender's queue.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(pair.client.bufferedBytes > 0, `buffered ${pair.client.bufferedBytes}`);
      pair.serverEvents.pause = undefined;
      resume();
      await pair.serverEvents.receivedAtLeast(payload.length, 30_000);
      assert.deepEqual(pair.serverEvents.bytes(), payload);
      await within(pair.client.flushed(), 5000, "flushed");
      assert.equal(pair.client.bufferedBytes, 0);
    } finally {
      await pair.close();
    }
  });

  test("TcpConnection.closeWrite sends FIN and the reply still arrives", async () => {
    const pair = await connectedPair();
    try {
      pair.client.write(utf8.encode("question"));
      await pair.client.closeWrite();
      await within(pair.serverEvents.ended, 5000, "server end");
      assert.equal(text.decode(pair.serverEvents.bytes()), "question");
      assert.equal(pair.serverEvents.closeCount, 0, "half-close must not close the server side");
      pair.server.write(utf8.encode("answer"));
      await pair.server.closeWrite();
      await within(pair.clientEvents.ended, 5000, "client end");
      assert.equal(text.decode(pair.clientEvents.bytes()), "answer");
      // Both directions finished: both ends report the connection closed, cleanly.
      assert.equal(await within(pair.clientEvents.closed, 5000, "client close"), undefined);
      assert.equal(await within(pair.serverEvents.closed, 5000, "server close"), undefined);
    } finally {
      await pair.close();
    }
  });

  test("TcpConnection.closeWrite after a large queued write sends every byte before FIN", async () => {
    const pair = await connectedPair();
    try {
      const payload = patternBytes(8 * MiB, 11);
      pair.client.write(payload);
      await within(pair.client.closeWrite(), 30_000, "closeWrite");
      await within(pair.serverEvents.ended, 30_000, "server end");
      assert.equal(pair.serverEvents.received, payload.length);
      assert.deepEqual(pair.serverEvents.bytes(), payload);
      pair.server.write(utf8.encode("got it"));
      await within(pair.clientEvents.receivedAtLeast(6), 5000, "reply");
      assert.equal(text.decode(pair.clientEvents.bytes()), "got it");
    } finally {
      await pair.close();
    }
  });

  // Deno writes a data event's reply before reading on; a FIN asked for meanwhile must follow it.
  test("TcpConnection.closeWrite during a reply written from a data event sends FIN after it", async () => {
    const reply = patternBytes(16 * MiB, 5);
    let served!: TcpConnection;
    let finRequested!: Promise<void>;
    const listener = await runtime.listenTcp({
      hostname: "127.0.0.1",
      port: 0,
      onConnection(connection) {
        served = connection;
        connection.start({
          data() {
            connection.write(reply);
            finRequested = new Promise((resolve) =>
              setTimeout(() => void connection.closeWrite().then(resolve), 50)
            );
          },
          end() {},
          close() {},
        });
      },
    });
    const client = await runtime.connectTcp(listener.address);
    const events = new Recorder();
    // The client does not read at first, so the reply is still being written when the FIN is asked for.
    let resumeReading!: () => void;
    events.pause = new Promise((resolve) => (resumeReading = resolve));
    client.start(events);
    try {
      client.write(utf8.encode("go"));
      await events.receivedAtLeast(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      events.pause = undefined;
      resumeReading();
      await within(events.ended, 30_000, "the server's FIN");
      await within(finRequested, 5000, "closeWrite to resolve");
      assert.equal(events.received, reply.length);
      assert.deepEqual(events.bytes(), reply);
    } finally {
      client.close();
      served?.close();
      await within(events.closed, 5000, "client close");
      await within(listener.close(), 5000, "listener close");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });

  // Bun holds writes made outside a data event until the running callback returns.
  test("TcpConnection writes made outside a data event arrive in order, then the FIN", async () => {
    const pair = await connectedPair();
    try {
      const expected: string[] = [];
      for (let i = 0; i < 1000; i++) {
        expected.push(`line ${i}\n`);
        pair.server.write(utf8.encode(`line ${i}\n`));
      }
      assert.ok(pair.server.bufferedBytes <= expected.join("").length);
      await pair.server.closeWrite();
      await within(pair.clientEvents.ended, 5000, "client end");
      assert.equal(text.decode(pair.clientEvents.bytes()), expected.join(""));
      assert.equal(pair.server.bufferedBytes, 0);
    } finally {
      await pair.close();
    }
  });

  // On Bun the first write of a data event and any large one go straight to
  // the socket while nothing waits; the rest are queued until the event returns.
  test("TcpConnection writes of one data event, small and large mixed, arrive in order", async () => {
    const pair = await acceptedPair();
    const { client, server } = pair;
    const parts = [
      utf8.encode("first\n"),
      patternBytes(64 * 1024, 1),
      utf8.encode("second\n"),
      patternBytes(64 * 1024, 2),
      utf8.encode("third\n"),
    ];
    const expected = concatBytes(parts, parts.reduce((sum, part) => sum + part.length, 0));
    const clientEvents = new Recorder();
    let answered = false;
    server.start({
      data() {
        if (answered) return;
        answered = true;
        for (const part of parts) server.write(part);
      },
      end() {},
      close() {},
    });
    client.start(clientEvents);
    try {
      client.write(utf8.encode("go"));
      await clientEvents.receivedAtLeast(expected.length);
      assert.deepEqual(clientEvents.bytes(), expected);
    } finally {
      await pair.close(clientEvents.closed);
    }
  });

  test("TcpConnection.close is idempotent and reports close once", async () => {
    const pair = await connectedPair();
    try {
      pair.client.close();
      pair.client.close();
      assert.equal(await within(pair.clientEvents.closed, 5000, "client close"), undefined);
      // The peer's FIN looks like a half-close: the server may still answer, so it stays open.
      await within(pair.serverEvents.ended, 5000, "server end");
      pair.server.close();
      pair.server.close();
      await pair.listener.close();
      await pair.listener.close();
      // Writes after close are dropped silently rather than throwing.
      pair.client.write(utf8.encode("late"));
      await pair.client.flushed();
      await pair.client.closeWrite();
      assert.equal(pair.clientEvents.closeCount, 1);
      assert.equal(pair.serverEvents.closeCount, 1);
      assert.ok(pair.serverEvents.endCount <= 1);
    } finally {
      await pair.close();
    }
  });

  test("TcpConnection closed by its peer with unread data reports a reset, listener goes on", async () => {
    const pair = await connectedPair();
    try {
      // The server stops reading, so the next bytes stay unread in its kernel buffer;
      // closing a socket with unread data makes the kernel answer with RST.
      pair.serverEvents.pause = new Promise(() => {});
      pair.client.write(utf8.encode("first"));
      await pair.serverEvents.receivedAtLeast(5);
      pair.client.write(utf8.encode("unread"));
      await pair.client.flushed();
      await new Promise((resolve) => setTimeout(resolve, 50));
      pair.server.close();
      // The client finds out on its next read or write.
      pair.client.write(utf8.encode("more"));
      const error = await within(pair.clientEvents.closed, 5000, "client close");
      assert.ok(error instanceof NetError, `closed with ${error}, not a reset`);
      assert.ok(
        ["CONNECTION_RESET", "BROKEN_PIPE"].includes(error.code),
        `unexpected ${error.code}`,
      );
      // The listener is unaffected.
      const again = await runtime.connectTcp(pair.listener.address);
      again.close();
    } finally {
      await pair.close();
    }
  });

  test("TcpConnection whose data callback throws closes, and the peer sees the end", async () => {
    const pair = await connectedPair();
    try {
      pair.serverEvents.data = () => {
        throw new Error("callback bug");
      };
      pair.client.write(utf8.encode("x"));
      const error = await within(pair.serverEvents.closed, 5000, "server close");
      assert.ok(error instanceof NetError);
      await within(pair.clientEvents.ended, 5000, "client end");
    } finally {
      await pair.close();
    }
  });

  test("TcpConnection.setNoDelay can be toggled on either side, also after close", async () => {
    const pair = await connectedPair();
    try {
      pair.client.setNoDelay(true);
      pair.client.setNoDelay(false);
      pair.server.setNoDelay(true);
      pair.client.close();
      pair.client.setNoDelay(true);
      await within(pair.clientEvents.closed, 5000, "close");
    } finally {
      await pair.close();
    }
  });

  test("connectTcp to a port where nothing listens rejects with CONNECTION_REFUSED", async () => {
    for (const hostname of ["127.0.0.1", "::1"]) {
      const port = await closedPort(hostname);
      await assert.rejects(runtime.connectTcp({ hostname, port }), (error: unknown) => {
        assert.ok(error instanceof NetError);
        assert.equal(error.code, "CONNECTION_REFUSED");
        assert.equal(error.operation, "connect");
        assert.deepEqual(error.address, { hostname, port });
        return true;
      });
    }
  });

  test("listenTcp on a taken port rejects with ADDRESS_IN_USE, and close frees it", async () => {
    const first = await runtime.listenTcp({ hostname: "127.0.0.1", port: 0, onConnection() {} });
    try {
      await assert.rejects(
        runtime.listenTcp({ ...first.address, onConnection() {} }),
        (error: unknown) =>
          isNetError("ADDRESS_IN_USE")(error) && (error as NetError).operation === "listen",
      );
    } finally {
      await first.close();
    }
    // Once close() resolves the port is free again.
    const again = await runtime.listenTcp({ ...first.address, onConnection() {} });
    await again.close();
  });

  test("listenTcp on an address this machine lacks rejects with ADDRESS_NOT_AVAILABLE", async () => {
    // Binding only: no packet leaves the machine.
    await assert.rejects(
      runtime.listenTcp({ hostname: "10.255.255.1", port: 0, onConnection() {} }),
      isNetError("ADDRESS_NOT_AVAILABLE"),
    );
  });

  test("resolveHost of a name that cannot exist rejects with HOST_NOT_FOUND", async () => {
    await assert.rejects(resolveHost("no-such-host.invalid"), isNetError("HOST_NOT_FOUND"));
    assert.equal(await resolveHost("127.0.0.1"), "127.0.0.1");
    assert.equal(await resolveHost("[::1]"), "::1");
  });

  test("connectTcp to a name that cannot exist rejects with HOST_NOT_FOUND", async () => {
    await assert.rejects(
      runtime.connectTcp({ hostname: "no-such-host.invalid", port: 9 }),
      isNetError("HOST_NOT_FOUND"),
    );
  });

  test("listenTcp accepts many connections at once", async () => {
    const accepted: TcpConnection[] = [];
    const listener = await runtime.listenTcp({
      hostname: "127.0.0.1",
      port: 0,
      onConnection(connection) {
        accepted.push(connection);
        const events = new Recorder();
        connection.start(events);
      },
    });
    const clients: TcpConnection[] = [];
    const recorders: Recorder[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const client = await runtime.connectTcp(listener.address);
        const events = new Recorder();
        client.start(events);
        clients.push(client);
        recorders.push(events);
      }
      for (let i = 0; i < 100 && accepted.length < 40; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(accepted.length, 40);
    } finally {
      for (const client of clients) client.close();
      for (const connection of accepted) connection.close();
      await listener.close();
      await within(Promise.all(recorders.map((r) => r.closed)), 5000, "closes");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
});

interface Inbox {
  messages: { data: Uint8Array; from: SocketAddress }[];
  errors: Error[];
  next(ms?: number): Promise<{ data: Uint8Array; from: SocketAddress }>;
}

/** Binds a UDP socket at `address` and starts it with `events`. */
async function bindStarted(address: SocketAddress, events: DatagramEvents): Promise<UdpSocket> {
  const socket = await runtime.bindUdp(address);
  socket.start(events);
  return socket;
}

function inbox(): Inbox & { events: DatagramEvents } {
  const box = {
    messages: [] as { data: Uint8Array; from: SocketAddress }[],
    errors: [] as Error[],
    wake: [] as (() => void)[],
    events: {
      message(data: Uint8Array, from: SocketAddress) {
        box.messages.push({ data, from });
        for (const wake of box.wake.splice(0)) wake();
      },
      error(error: Error) {
        box.errors.push(error);
      },
    },
    async next(ms = 5000) {
      while (box.messages.length === 0) {
        await within(new Promise<void>((resolve) => box.wake.push(resolve)), ms, "datagram");
      }
      return box.messages.shift()!;
    },
  };
  return box;
}

describe(`runtime adapter (${runtime.name}) UDP`, () => {
  for (const hostname of ["127.0.0.1", "::1"]) {
    test(`bindUdp sends and receives datagrams over ${hostname}`, async () => {
      const a = inbox();
      const b = inbox();
      const sockets: UdpSocket[] = [];
      try {
        sockets.push(await bindStarted({ hostname, port: 0 }, a.events));
        sockets.push(await bindStarted({ hostname, port: 0 }, b.events));
        const [sa, sb] = sockets as [UdpSocket, UdpSocket];
        sa.send(utf8.encode("hello"), sb.localAddress);
        const got = await b.next();
        assert.equal(text.decode(got.data), "hello");
        assert.equal(got.from.port, sa.localAddress.port);
        // The largest datagram the IP version allows arrives whole.
        const big = patternBytes(hostname === "::1" ? 65527 : 65507);
        sb.send(big, got.from);
        assert.deepEqual((await a.next()).data, big);
      } finally {
        for (const socket of sockets) socket.close();
      }
    });
  }

  test("UdpSocket.send of an oversized datagram reports MESSAGE_TOO_LARGE and the socket lives", async () => {
    const a = inbox();
    const b = inbox();
    const sa = await bindStarted({ hostname: "127.0.0.1", port: 0 }, a.events);
    const sb = await bindStarted({ hostname: "127.0.0.1", port: 0 }, b.events);
    try {
      sa.send(new Uint8Array(70_000), sb.localAddress);
      for (let i = 0; i < 100 && a.errors.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(a.errors.length, 1);
      assert.ok(isNetError("MESSAGE_TOO_LARGE")(a.errors[0]), String(a.errors[0]));
      sa.send(utf8.encode("still here"), sb.localAddress);
      assert.equal(text.decode((await b.next()).data), "still here");
    } finally {
      sa.close();
      sb.close();
    }
  });

  test("UdpSocket survives sending to a port where nothing listens", async () => {
    const a = inbox();
    const b = inbox();
    const sa = await bindStarted({ hostname: "127.0.0.1", port: 0 }, a.events);
    const sb = await bindStarted({ hostname: "127.0.0.1", port: 0 }, b.events);
    try {
      const nowhere = { hostname: "127.0.0.1", port: await closedPort() };
      // The ICMP port unreachable comes back asynchronously and must not kill anything.
      for (let i = 0; i < 5; i++) {
        sa.send(utf8.encode("anyone?"), nowhere);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      sb.send(utf8.encode("ping"), sa.localAddress);
      assert.equal(text.decode((await a.next()).data), "ping");
      sa.send(utf8.encode("pong"), sb.localAddress);
      assert.equal(text.decode((await b.next()).data), "pong");
      for (const error of a.errors) assert.ok(error instanceof NetError, String(error));
    } finally {
      sa.close();
      sb.close();
    }
  });

  test("bindUdp on a taken port rejects with ADDRESS_IN_USE; close is idempotent", async () => {
    const a = inbox();
    const sa = await bindStarted({ hostname: "127.0.0.1", port: 0 }, a.events);
    try {
      await assert.rejects(
        runtime.bindUdp(sa.localAddress),
        isNetError("ADDRESS_IN_USE"),
      );
      await assert.rejects(
        runtime.bindUdp({ hostname: "10.255.255.1", port: 0 }),
        isNetError("ADDRESS_NOT_AVAILABLE"),
      );
    } finally {
      sa.close();
      sa.close();
    }
    // Sending on a closed socket is a no-op, not a crash.
    sa.send(utf8.encode("late"), { hostname: "127.0.0.1", port: 9 });
  });
});
