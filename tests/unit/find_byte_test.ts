import fc from "fast-check";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { findByte, findByteNative, findByteWordwise } from "../../src/framing/find_byte.ts";

// Each runtime uses one of the two scanners; both are checked on both runtimes.
const scanners = { findByte, findByteNative, findByteWordwise };

for (const [name, find] of Object.entries(scanners)) {
  describe(name, () => {
    test("agrees with indexOf at every alignment, start and density", () => {
      // A filler byte with a few hits and near misses (one bit off, high bit set)
      // at random places, so runs without a hit are long enough for the word-wise path.
      const bytes = fc.record({
        length: fc.nat(700),
        hits: fc.array(fc.nat(700), { maxLength: 4 }),
        nearMisses: fc.array(fc.tuple(fc.nat(700), fc.constantFrom(0x0b, 0x8a, 0x0e, 0x00, 0xff))),
      });
      fc.assert(
        fc.property(bytes, fc.nat(7), fc.nat(800), ({ length, hits, nearMisses }, offset, from) => {
          const backing = new Uint8Array(length + 8).fill(0x61);
          const view = backing.subarray(offset, offset + length);
          for (const [at, value] of nearMisses) if (at < length) view[at] = value;
          for (const at of hits) if (at < length) view[at] = 0x0a;
          assert.equal(find(view, 0x0a, from), view.indexOf(0x0a, from));
        }),
        { numRuns: 5000 },
      );
    });

    test("finds a byte past a long run and reports none in a long run without it", () => {
      const bytes = new Uint8Array(100_000).fill(0x61);
      assert.equal(find(bytes, 0x0a, 0), -1);
      bytes[77_777] = 0x0a;
      assert.equal(find(bytes, 0x0a, 3), 77_777);
      assert.equal(find(bytes.subarray(1), 0x0a, 0), 77_776);
      assert.equal(find(bytes, 0x0a, 77_778), -1);
    });
  });
}
