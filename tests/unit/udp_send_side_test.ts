// What udp.ts bench says about its own sending: the pacing's account of how
// much of --rate left, and the line that blames the link only when it did set the pace.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { heldBackLine, type SendSide } from "../../src/cli/udp/send_side.ts";
import { IntervalClock } from "../../src/measure/clock.ts";
import { paceSends } from "../../src/measure/udp_pace.ts";

const SIDE: SendSide = {
  seconds: 5,
  heldBackMs: 0,
  sentShare: 1,
  sendErrors: 0,
  sendBufferDrops: undefined,
};

describe("heldBackLine", () => {
  test("blames the link when the sender waited and fell short of --rate", () => {
    const line = heldBackLine({ ...SIDE, heldBackMs: 3_800, sentShare: 0.26 });
    assert.match(line ?? "", /^the sender waited 3\.8 s of 5\.0 s .* slower than --rate/);
  });

  test("says nothing when the waits were made good and --rate was kept (Deno at 1 Gbit/s)", () => {
    // Measured: Deno waited 0.7 s of 5 s in bursts, and still sent 996 of 1,000 Mbit/s.
    assert.equal(heldBackLine({ ...SIDE, heldBackMs: 700, sentShare: 0.996 }), undefined);
  });

  test("says nothing for a wait too short to matter, whatever the share", () => {
    assert.equal(heldBackLine({ ...SIDE, heldBackMs: 100, sentShare: 0.5 }), undefined);
  });
});

describe("paceSends", () => {
  test("while the system takes nothing, nothing is sent: the share is 0 and the wait is counted", async () => {
    const clock = new IntervalClock(0.2, { interval() {} });
    let sends = 0;
    const pacing = await paceSends(1e6, 1000, clock, () => sends++, () => Infinity);
    assert.equal(sends, 0);
    assert.equal(pacing.sentShare, 0);
    assert.ok(pacing.heldBackMs > 0, `held back ${pacing.heldBackMs} ms`);
  });

  test("a stall early in the run is made good later: the run's average reaches the rate", async () => {
    const seconds = 1.2;
    const clock = new IntervalClock(seconds, { interval() {} });
    let sends = 0;
    const started = performance.now();
    const pacing = await paceSends(1e6, 1000, clock, () => {
      // The first send stalls the program for 200 ms, as a JIT or a busy PC can.
      if (sends++ === 0) { while (performance.now() - started < 200) { /* busy */ } }
    }, () => 0);
    const due = (1e6 / 8 / 1000) * seconds;
    // A stall's sending past 50 ms used to be dropped: 150 ms of 1.2 s, 12%.
    assert.ok(sends >= 0.97 * due, `${sends} sent of ${due} due`);
    assert.ok(pacing.sentShare >= 0.97, String(pacing.sentShare));
  });

  test("what was sent is the share reported (never above 1)", async () => {
    const clock = new IntervalClock(0.2, { interval() {} });
    let sends = 0;
    const pacing = await paceSends(1e6, 1000, clock, () => sends++, () => 0);
    assert.ok(sends > 0);
    assert.ok(pacing.sentShare > 0 && pacing.sentShare <= 1, String(pacing.sentShare));
    assert.equal(pacing.heldBackMs, 0);
  });
});
