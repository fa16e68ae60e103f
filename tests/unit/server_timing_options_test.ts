// Issue 22: the server's stall, linger and grace times are options with
// today's values as defaults, so tests and library users need not wait them out.
// Short options are checked against generous upper bounds (the defaults are
// 5 s and 2 s), the shutdown grace with a lower bound, so a loaded machine can
// only make these pass later, never fail them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Client, serve } from "../../mod.ts";
import { delay } from "../../src/async/delay.ts";
import { RawClient } from "../helpers/fault_peers.ts";
import { within } from "../helpers/net_fixtures.ts";

const WAIT_MS = 5000;
const MIB = 1024 * 1024;

async function firstClient(clients: Client[]): Promise<Client> {
  for (let tries = 0; clients.length === 0 && tries < 500; tries++) await delay(10);
  assert.ok(clients[0], "the client connected");
  return clients[0];
}

describe("server timing options", () => {
  test("readerStallMs: a recipient that takes nothing for that long is disconnected", async () => {
    const clients: Client[] = [];
    let dropped: (reason: string) => void;
    const droppedWith = new Promise<string>((resolve) => (dropped = resolve));
    // Queued bytes far past what loopback's socket buffers take, yet under maxQueuedBytes,
    // so only the stall, not the queue bound, can end this client.
    const server = await serve({
      port: 0,
      readerStallMs: 300,
      maxQueuedBytes: 64 * MIB,
      onConnect: (client) => clients.push(client),
      onError: (error) => dropped(error.message),
    }, () => undefined);
    const stuck = await RawClient.open(server.address.port);
    try {
      stuck.socket.pause();
      const client = await firstClient(clients);
      const block = "x".repeat(64 * 1024);
      for (let i = 0; i < 256; i++) client.send(block);
      const started = Date.now();
      const reason = await within(droppedWith, WAIT_MS, "the stalled client to be dropped");
      assert.match(reason, /^client is not reading: nothing taken for 0\.3 s while others wait/);
      assert.ok(Date.now() - started < 2500, `dropped after ${Date.now() - started} ms`);
    } finally {
      await stuck.destroy();
      await server.close();
    }
  });

  test("lingerMs: a closing connection waits that long for the client's FIN", async () => {
    const clients: Client[] = [];
    let gone: () => void;
    const disconnected = new Promise<void>((resolve) => (gone = resolve));
    const server = await serve({
      port: 0,
      lingerMs: 100,
      onConnect: (client) => clients.push(client),
      onDisconnect: () => gone(),
    }, () => undefined);
    // allowHalfOpen: the raw client answers the server's FIN with nothing.
    const silent = await RawClient.open(server.address.port);
    try {
      const client = await firstClient(clients);
      const started = Date.now();
      void client.close();
      await within(disconnected, WAIT_MS, "the server to give up on the FIN");
      const waited = Date.now() - started;
      assert.ok(waited < 1500, `closed after ${waited} ms, the default linger is 2000`);
    } finally {
      await silent.destroy();
      await server.close();
    }
  });

  test("refusalGraceMs: a client turned away as the server is full is cut off after that long", async () => {
    const server = await serve(
      { port: 0, maxConnections: 1, refusalGraceMs: 100 },
      () => undefined,
    );
    const first = await RawClient.open(server.address.port);
    let refused: RawClient | undefined;
    try {
      for (let tries = 0; server.clients.size === 0 && tries < 500; tries++) await delay(10);
      refused = await RawClient.open(server.address.port);
      await refused.until(() => refused!.text().includes("server full"), "the notice");
      const started = Date.now();
      // Its FIN unanswered, the server reads and drops what comes until the grace
      // ends; after that the kernel answers a write with a reset, which closes the socket.
      for (let tries = 0; !refused.isClosed && tries < 100; tries++) {
        refused.write("still here\n");
        await delay(50);
      }
      assert.ok(refused.isClosed, "the server never closed the refused connection");
      const waited = Date.now() - started;
      assert.ok(waited < 1500, `closed after ${waited} ms, the default grace is 2000`);
    } finally {
      await refused?.destroy();
      await first.destroy();
      await server.close();
    }
  });

  test("shutdownGraceMs: close() lets connections flush that long", async () => {
    const clients: Client[] = [];
    const server = await serve({
      port: 0,
      shutdownGraceMs: 1500,
      maxQueuedBytes: 64 * MIB,
      onConnect: (client) => clients.push(client),
    }, () => undefined);
    const stuck = await RawClient.open(server.address.port);
    try {
      stuck.socket.pause();
      const client = await firstClient(clients);
      const block = "x".repeat(64 * 1024);
      for (let i = 0; i < 256; i++) client.send(block);
      const started = Date.now();
      await within(server.close(), WAIT_MS, "close()");
      const waited = Date.now() - started;
      assert.ok(
        waited >= 1200,
        `close() cut the client off after ${waited} ms, the default is 800`,
      );
    } finally {
      await stuck.destroy();
      await server.close();
    }
  });
});
