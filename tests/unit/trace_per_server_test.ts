// Issue 22: a traced server holds back the events a read causes until that
// read is narrated. What it holds must be its own: a second server in the
// same process (a library user's, or a test's) is not reading at that moment.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Client, connect, serve, type TraceEvent } from "../../mod.ts";
import { delay } from "../../src/async/delay.ts";

const WAIT_MS = 5000;

describe("trace order is per server", () => {
  test("a send to another server's client is traced at once, not held for this server's read", async () => {
    const otherEvents: TraceEvent["type"][] = [];
    let otherClient: Client | undefined;
    const other = await serve({
      port: 0,
      trace: (event) => otherEvents.push(event.type),
      onConnect: (client) => (otherClient = client),
    }, () => undefined);
    // What the other server's trace had shown right after the send, seen from inside this server's handler.
    let seenAtSend: TraceEvent["type"][] | undefined;
    const relay = await serve({ port: 0, trace: () => {} }, (message) => {
      otherClient!.send(message.text);
      seenAtSend = [...otherEvents];
      return "relayed";
    });
    const listener = await connect({ port: other.address.port });
    const sender = await connect({ port: relay.address.port });
    try {
      const deadline = Date.now() + WAIT_MS;
      while (!otherClient && Date.now() < deadline) await delay(5);
      assert.ok(otherClient, "the other server's client connected");
      sender.send("hello");
      assert.equal((await sender.receive(WAIT_MS))?.text, "relayed");
      assert.equal((await listener.receive(WAIT_MS))?.text, "hello");
      assert.deepEqual(seenAtSend, ["connected", "wrote"]);
    } finally {
      listener.close();
      sender.close();
      await relay.close();
      await other.close();
    }
  });
});
