import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { WriteQueue } from "../../src/net/write_queue.ts";

const KIB = 1024;

function filled(length: number, value: number): Uint8Array {
  return new Uint8Array(length).fill(value);
}

describe("WriteQueue", () => {
  test("empty: nothing to take, no bytes, and settled() wakes flushed()", async () => {
    const queue = new WriteQueue();
    assert.equal(queue.take(), undefined);
    assert.equal(queue.bytes, 0);
    assert.equal(queue.memoryBytes, 0);
    const flushed = queue.flushed();
    queue.settled();
    await flushed;
  });

  test("small parts are joined into one write in order; bytes count until written", () => {
    const queue = new WriteQueue();
    queue.push(Uint8Array.of(1, 2));
    queue.push(Uint8Array.of(3));
    queue.push(Uint8Array.of(4, 5, 6));
    assert.equal(queue.length, 3);
    assert.equal(queue.memoryBytes, 6 + 3 * 64);
    const write = queue.take();
    assert.deepEqual([...write!], [1, 2, 3, 4, 5, 6]);
    assert.equal(queue.length, 0);
    assert.equal(queue.bytes, 6);
    queue.wrote(4);
    assert.equal(queue.bytes, 2);
    assert.equal(queue.writtenBytes, 4);
  });

  test("back-to-back views of one buffer are joined without a copy", () => {
    const slab = new Uint8Array(10);
    const queue = new WriteQueue();
    queue.push(slab.subarray(0, 4));
    queue.push(slab.subarray(4, 10));
    const write = queue.take()!;
    assert.equal(write.buffer, slab.buffer);
    assert.equal(write.byteOffset, 0);
    assert.equal(write.length, 10);
  });

  test("joining stops at 64 KiB and before a large part, which goes as it is", () => {
    const queue = new WriteQueue();
    const big = filled(16 * KIB, 9);
    queue.push(filled(10, 1));
    queue.push(big);
    assert.equal(queue.take()!.length, 10);
    assert.equal(queue.take(), big);
    // 63 KiB of small parts and then one that would pass 64 KiB: two writes.
    for (let i = 0; i < 63; i++) queue.push(filled(KIB, i));
    queue.push(filled(2 * KIB, 99));
    assert.equal(queue.take()!.length, 63 * KIB);
    assert.equal(queue.take()!.length, 2 * KIB);
    assert.equal(queue.take(), undefined);
    // Exactly at the limit still joins.
    for (let i = 0; i < 64; i++) queue.push(filled(KIB, i));
    assert.equal(queue.take()!.length, 64 * KIB);
  });

  test("what the system did not take is put back in front", () => {
    const queue = new WriteQueue();
    queue.push(Uint8Array.of(1, 2, 3));
    const write = queue.take()!;
    queue.push(Uint8Array.of(4));
    queue.wrote(1);
    queue.putBack(write.subarray(1));
    assert.deepEqual([...queue.take()!], [2, 3, 4]);
    assert.equal(queue.bytes, 3);
  });

  test("length and memoryBytes follow push, take, putBack and clear; clear wakes waiters", async () => {
    const one = new WriteQueue();
    one.push(filled(100, 0));
    const perPart = one.memoryBytes - one.bytes;
    assert.ok(perPart > 0);
    const queue = new WriteQueue();
    queue.push(filled(100, 0));
    queue.push(filled(20_000, 1));
    queue.push(filled(10, 2));
    assert.equal(queue.length, 3);
    const first = queue.take()!;
    assert.equal(first.length, 100);
    assert.equal(queue.length, 2);
    queue.wrote(40);
    queue.putBack(first.subarray(40));
    assert.equal(queue.length, 3);
    assert.equal(queue.memoryBytes - queue.bytes, 3 * perPart);
    assert.equal(queue.take()!.length, 60);
    // The large part and the small one after it leave as one write.
    assert.equal(queue.take()!.length, 20_010);
    assert.equal(queue.length, 0);
    assert.equal(queue.take(), undefined);
    queue.push(filled(100, 0));
    queue.requestFin();
    assert.equal(queue.finRequested, true);
    const flushed = queue.flushed();
    queue.clear();
    await flushed;
    assert.equal(queue.length, 0);
    assert.equal(queue.bytes, 0);
    assert.equal(queue.take(), undefined);
  });
});
