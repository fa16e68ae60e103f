import assert from "node:assert/strict";
import { test } from "node:test";
import { delay as sleep } from "../../src/async/delay.ts";
import { IdleSweeper } from "../../src/tcp/idle_sweeper.ts";

test("IdleSweeper reports a silent item once and keeps a busy one", async () => {
  const idle: string[] = [];
  // The limit is far above the touch interval, so only a stalled machine could idle "busy".
  const sweeper = new IdleSweeper<string>(400, (item) => idle.push(item));
  try {
    sweeper.add("silent");
    sweeper.add("busy");
    const giveUp = Date.now() + 5000;
    while (idle.length === 0 && Date.now() < giveUp) {
      await sleep(20);
      sweeper.touch("busy");
    }
    await sleep(100);
    assert.deepEqual(idle, ["silent"]);
  } finally {
    sweeper.stop();
  }
});

test("IdleSweeper forgets deleted items and stops its timer when empty", async () => {
  const idle: string[] = [];
  const sweeper = new IdleSweeper<string>(50, (item) => idle.push(item));
  sweeper.add("gone");
  sweeper.delete("gone");
  await sleep(120);
  assert.deepEqual(idle, []);
  sweeper.stop();
});

test("IdleSweeper: activity is never dated before it happened, so no item idles early", async () => {
  const idleAt = new Map<string, number>();
  const limit = 200;
  const sweeper = new IdleSweeper<string>(limit, (item) => idleAt.set(item, Date.now()));
  try {
    sweeper.add("late");
    // Active until 150 ms in, then silent: it may be called idle no sooner than 350 ms in.
    const started = Date.now();
    while (Date.now() - started < 150) {
      sweeper.touch("late");
      await sleep(10);
    }
    const lastTouch = Date.now();
    const giveUp = Date.now() + 5000;
    while (!idleAt.has("late") && Date.now() < giveUp) await sleep(10);
    const silence = idleAt.get("late")! - lastTouch;
    assert.ok(silence >= limit - 5, `called idle after ${silence} ms of silence, limit ${limit}`);
  } finally {
    sweeper.stop();
  }
});
