// bench/js_cost.ts drives the real server through connections that only
// count. When the adapters began calling their events as methods, its
// detached calls threw on both runtimes, and `npm run bench` failed after
// all its workloads had run. So the two runs are made here with few
// messages; no speed is asserted (speed belongs in `npm run bench`).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { tcpLineEcho, udpEcho } from "../../bench/js_cost.ts";

const MESSAGES = 5_000;

describe("bench/js_cost.ts", () => {
  test("echoes every TCP line through serve() and gives a time per message", async () => {
    // It throws when the echo lost bytes.
    const ns = await tcpLineEcho(MESSAGES);
    assert.ok(Number.isFinite(ns) && ns > 0, `${ns} ns per message`);
  });

  test("echoes every datagram through serveUdp() and gives a time per datagram", async () => {
    const ns = await udpEcho(MESSAGES);
    assert.ok(Number.isFinite(ns) && ns > 0, `${ns} ns per datagram`);
  });
});
