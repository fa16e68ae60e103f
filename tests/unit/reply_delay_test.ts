// serve()'s replyDelay (server.ts --delay): held replies count as queued, so a
// client that pipelines without reading cannot make the server hold them all.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { connect, echo, serve } from "../../mod.ts";
import { closeAll } from "../helpers/connections.ts";

const MESSAGES = 1_000_000;
// What one client may make the server hold: 256 KiB of replies (the high-water
// mark past which its input waits) plus the chunk being decoded, with room to spare.
const HELD_BOUND_BYTES = 1024 * 1024;
const SETTLE_POLL_MS = 200;
const SETTLE_LIMIT_MS = 10_000;

describe("serve replyDelay", () => {
  test("serve replyDelay stops reading a pipelining client once held replies pass the bound", async () => {
    // Longer than the test waits: no reply leaves, so everything handled is still held.
    const server = await serve({ port: 0, replyDelay: { ms: 10_000 } }, echo);
    const connection = await connect({ port: server.address.port });
    try {
      for (let i = 0; i < MESSAGES; i++) connection.send("x");
      const sentBytes = MESSAGES * 2;
      // Waits until the server has stopped taking input: two polls alike.
      let before = -1;
      const stopAt = Date.now() + SETTLE_LIMIT_MS;
      while (
        (server.stats.bytesIn === 0 || server.stats.bytesIn !== before) && Date.now() < stopAt
      ) {
        before = server.stats.bytesIn;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
      }
      assert.ok(server.stats.bytesIn > 0, "the server read nothing");
      assert.ok(
        server.stats.bytesIn < HELD_BOUND_BYTES && server.stats.bytesIn < sentBytes,
        `the server took ${server.stats.bytesIn} of ${sentBytes} bytes while holding every reply`,
      );
    } finally {
      await closeAll(connection);
      await server.close();
    }
  });

  test("serve replyDelay keeps replies in order whatever the jitter draws", async () => {
    let draw = 0;
    // Falling delays: each reply would be due before the one ahead of it.
    const random = () => Math.max(0, 1 - (draw++ % 10) / 5);
    const server = await serve({ port: 0, replyDelay: { ms: 50, jitterMs: 45, random } }, echo);
    const connection = await connect({ port: server.address.port });
    try {
      const sent = Array.from({ length: 30 }, (_, i) => `m${i}`);
      const started = performance.now();
      for (const text of sent) connection.send(text);
      const got: string[] = [];
      for (let i = 0; i < sent.length; i++) {
        got.push((await connection.receive(5_000))?.text ?? "(closed)");
        // The first draw holds it 95 ms; a lower bound only, so a slow machine cannot fail it.
        if (i === 0) assert.ok(performance.now() - started >= 90, "the first reply was not held");
      }
      assert.deepEqual(got, sent);
    } finally {
      await closeAll(connection);
      await server.close();
    }
  });
});
