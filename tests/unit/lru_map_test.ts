import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LruMap } from "../../src/cli/narration/lru_map.ts";

describe("LruMap", () => {
  test("LruMap stays at its bound however many distinct peers are added", () => {
    const map = new LruMap<string, number>(1000);
    for (let i = 0; i < 100_000; i++) {
      map.set(`192.0.2.${i % 256}:${i}`, i);
      assert.ok(map.size <= 1000);
    }
    assert.equal(map.size, 1000);
    // The most recent thousand are the ones kept.
    assert.equal(map.get("192.0.2.159:99999"), 99_999);
    assert.equal(map.has(`192.0.2.${98_999 % 256}:98999`), false);
  });

  test("LruMap drops the entry used least recently, not the one added first", () => {
    const map = new LruMap<string, number>(3);
    map.set("a", 1).set("b", 2).set("c", 3);
    assert.equal(map.get("a"), 1);
    map.set("d", 4);
    assert.deepEqual(["a", "b", "c", "d"].map((key) => map.has(key)), [true, false, true, true]);
  });

  test("LruMap replaces a key's value without dropping anything", () => {
    const map = new LruMap<string, number>(2);
    map.set("a", 1).set("b", 2).set("a", 3);
    assert.equal(map.size, 2);
    assert.equal(map.get("a"), 3);
    assert.equal(map.get("b"), 2);
    assert.equal(map.delete("a"), true);
    assert.equal(map.delete("a"), false);
    assert.equal(map.size, 1);
  });

  test("LruMap rejects a bound that is not a positive integer, naming it", () => {
    assert.throws(() => new LruMap(0), /'maxSize' must be a positive integer: current value is 0/);
    assert.throws(() => new LruMap(1.5), RangeError);
  });
});
