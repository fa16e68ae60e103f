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
