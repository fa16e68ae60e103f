import assert from "node:assert/strict";
import { test } from "node:test";
import { CoarseClock } from "../../src/async/coarse_clock.ts";
import { delay as sleep } from "../../src/async/delay.ts";

test("CoarseClock follows the time within its resolution, and stops", async () => {
  const clock = new CoarseClock(20);
  try {
    const started = clock.now;
    assert.ok(Math.abs(started - Date.now()) <= 20, "read at construction");
    await sleep(150);
    assert.ok(clock.now > started, "the time moved on");
    // Timers fire late on a loaded machine, never early: the value is at most a few periods old.
    assert.ok(Date.now() - clock.now < 1000, `stale by ${Date.now() - clock.now} ms`);
  } finally {
    clock.stop();
  }
  const stopped = clock.now;
  await sleep(60);
  assert.equal(clock.now, stopped);
});
