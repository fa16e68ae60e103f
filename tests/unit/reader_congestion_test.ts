import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { delay } from "../../src/async/delay.ts";
import { ReaderCongestion, type Recipient } from "../../src/tcp/reader_congestion.ts";

// A recipient whose progress and drain the test controls.
class FakeRecipient implements Recipient {
  writtenBytes = 0;
  #drain: () => void = () => {};
  #drained = new Promise<void>((resolve) => (this.#drain = resolve));
  drained(): Promise<void> {
    return this.#drained;
  }
  drain(): void {
    this.#drain();
  }
}

const settled = (promise: Promise<void>): Promise<boolean> =>
  Promise.race([promise.then(() => true), delay(20).then(() => false)]);

describe("ReaderCongestion", () => {
  test("not congested until a recipient is noted; clear() then waits for it to drain", async () => {
    const congestion = new ReaderCongestion<FakeRecipient>(60_000, () => {});
    try {
      assert.equal(congestion.congested, false);
      assert.equal(await settled(congestion.clear()), true);
      const slow = new FakeRecipient();
      congestion.note(slow);
      congestion.note(slow);
      assert.equal(congestion.congested, true);
      const cleared = congestion.clear();
      assert.equal(await settled(cleared), false);
      slow.drain();
      assert.equal(await settled(cleared), true);
      assert.equal(congestion.congested, false);
    } finally {
      congestion.stop();
    }
  });

  test("clear() waits for every noted recipient, not the first to drain", async () => {
    const congestion = new ReaderCongestion<FakeRecipient>(60_000, () => {});
    try {
      const [a, b] = [new FakeRecipient(), new FakeRecipient()];
      congestion.note(a);
      congestion.note(b);
      const cleared = congestion.clear();
      a.drain();
      assert.equal(await settled(cleared), false);
      b.drain();
      assert.equal(await settled(cleared), true);
    } finally {
      congestion.stop();
    }
  });

  test("a recipient that takes nothing for stallMs is handed over once; one that moves is not", async () => {
    const stalled: FakeRecipient[] = [];
    const congestion = new ReaderCongestion<FakeRecipient>(80, (r) => stalled.push(r));
    const [stuck, moving] = [new FakeRecipient(), new FakeRecipient()];
    const mover = setInterval(() => (moving.writtenBytes += 1), 10);
    try {
      congestion.note(stuck);
      congestion.note(moving);
      const cleared = congestion.clear();
      for (let i = 0; i < 100 && stalled.length === 0; i++) await delay(10);
      assert.deepEqual(stalled, [stuck]);
      await delay(200);
      assert.deepEqual(stalled, [stuck], "handed over once, and the moving one kept");
      assert.equal(congestion.congested, true);
      moving.drain();
      assert.equal(await settled(cleared), true);
    } finally {
      clearInterval(mover);
      congestion.stop();
    }
  });

  test("stop() lets every waiting sender go", async () => {
    const congestion = new ReaderCongestion<FakeRecipient>(60_000, () => {});
    congestion.note(new FakeRecipient());
    const cleared = congestion.clear();
    congestion.stop();
    assert.equal(await settled(cleared), true);
    assert.equal(congestion.congested, false);
  });
});
