// Where udp.ts's fault flags keep waiting datagrams (issue 21, item 3): the
// byte ring must never hand back bytes another datagram overwrote, and the
// due queue must give ids back in due order, first come first out on ties.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DueQueue } from "../../src/udp/due_queue.ts";
import { HeldBytes } from "../../src/udp/held_bytes.ts";
import { seededRandom } from "../../src/udp/seeded_random.ts";

// A datagram whose every byte says who it is, so a mix-up shows.
function datagram(id: number, length: number): Uint8Array {
  return new Uint8Array(length).fill(id % 251);
}

describe("HeldBytes and DueQueue", () => {
  test("HeldBytes gives back each datagram intact, freed in any order, over many wraps", () => {
    const random = seededRandom(5);
    const ring = new HeldBytes(600 * 1024, 64);
    const waiting = new Map<number, { id: number; length: number }>();
    let held = 0;
    let refused = 0;
    for (let id = 1; id <= 20_000; id++) {
      const length = random.next() < 0.05 ? 0 : 1 + Math.floor(random.next() * 65_000);
      const entry = ring.hold(datagram(id, length));
      if (entry < 0) refused++;
      else {
        assert.ok(!waiting.has(entry), `entry ${entry} handed out twice`);
        waiting.set(entry, { id, length });
        held++;
      }
      // Free about as many as are held, at random, so the ring fills and drains.
      while (waiting.size > 0 && random.next() < 0.5) {
        const entries = [...waiting.keys()];
        const entry = entries[Math.floor(random.next() * entries.length)]!;
        const { id: was, length: size } = waiting.get(entry)!;
        assert.equal(ring.lengthOf(entry), size);
        assert.deepEqual(ring.copyOut(entry), datagram(was, size), `datagram ${was}`);
        ring.free(entry);
        waiting.delete(entry);
      }
      const live = [...waiting.values()].reduce((sum, w) => sum + w.length, 0);
      assert.equal(ring.used, live);
      assert.ok(ring.used <= ring.capacity);
    }
    assert.ok(held > 10_000 && refused > 100, `held ${held}, refused ${refused}`);
  });

  test("HeldBytes refuses past its bytes and its entries, and takes again once freed", () => {
    const ring = new HeldBytes(4000, 3);
    const a = ring.hold(datagram(1, 1500));
    const b = ring.hold(datagram(2, 1500));
    assert.equal(ring.hold(datagram(3, 1500)), -1, "bytes");
    const c = ring.hold(datagram(4, 0));
    assert.equal(ring.hold(datagram(5, 0)), -1, "entries");
    ring.free(a);
    ring.free(b);
    ring.free(c);
    assert.equal(ring.used, 0);
    const d = ring.hold(datagram(6, 4000));
    assert.deepEqual(ring.copyOut(d), datagram(6, 4000));
  });

  test("DueQueue takes ids in due order, ties first come first out, and nothing early", () => {
    const random = seededRandom(9);
    const queue = new DueQueue();
    const added: { due: number; id: number }[] = [];
    for (let id = 0; id < 5000; id++) {
      const due = Math.floor(random.next() * 500);
      queue.add(due, id);
      added.push({ due, id });
    }
    assert.equal(queue.size, 5000);
    const expected = added.toSorted((x, y) => x.due - y.due || x.id - y.id).map((x) => x.id);
    const taken: number[] = [];
    for (let now = 0; now < 500; now += 7) {
      for (let id = queue.takeDue(now); id >= 0; id = queue.takeDue(now)) {
        assert.ok(added[id]!.due <= now, `id ${id} due ${added[id]!.due} taken at ${now}`);
        taken.push(id);
      }
      assert.ok(queue.nextDue === undefined || queue.nextDue > now);
    }
    taken.push(...queue.clear());
    assert.deepEqual(taken, expected);
    assert.equal(queue.size, 0);
  });
});
