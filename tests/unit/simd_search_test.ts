import fc from "fast-check";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { beginChunkSearch, findInChunk } from "../../src/framing/find_byte.ts";
import { simdByteSearch } from "../../src/framing/simd_search.ts";

const LF = 0x0a;

function bytesWith(length: number, hits: number[]): Uint8Array {
  const bytes = new Uint8Array(length).fill(0x61);
  for (const at of hits) if (at < length) bytes[at] = LF;
  return bytes;
}

describe("simdByteSearch", () => {
  test("builds on this runtime", () => {
    assert.ok(simdByteSearch(), "WebAssembly SIMD is missing");
  });

  test("agrees with indexOf, whatever an earlier, longer chunk left in memory", () => {
    const search = simdByteSearch()!;
    // Memory full of hits first: a search that looked past a chunk's end would find one there.
    const poison = new Uint8Array(4000).fill(LF);
    fc.assert(
      fc.property(
        fc.nat(3000),
        fc.array(fc.nat(3000), { maxLength: 3 }),
        fc.nat(3100),
        (length, hits, from) => {
          const bytes = bytesWith(length, hits);
          assert.ok(search.load(poison));
          assert.ok(search.load(bytes));
          assert.equal(search.find(from, length, LF), bytes.indexOf(LF, from));
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("takes a chunk of maxBytes, finds its last byte, and refuses a longer one", () => {
    const search = simdByteSearch()!;
    const full = bytesWith(search.maxBytes, [search.maxBytes - 1]);
    assert.ok(search.load(full));
    assert.equal(search.find(0, full.length, LF), full.length - 1);
    assert.equal(search.load(new Uint8Array(search.maxBytes + 1)), false);
  });
});

describe("findInChunk", () => {
  test("an earlier search goes on right when a later one starts before it ends", () => {
    const outer = bytesWith(20_000, [5000, 9000, 15_000]);
    const inner = bytesWith(20_000, [100, 7000]);
    const outerSearch = beginChunkSearch(outer);
    assert.equal(findInChunk(outer, LF, 0, outerSearch), 5000);
    // As a decoder used inside another decoder's callback would.
    const innerSearch = beginChunkSearch(inner);
    assert.equal(findInChunk(inner, LF, 0, innerSearch), 100);
    assert.equal(findInChunk(outer, LF, 5001, outerSearch), 9000);
    assert.equal(findInChunk(outer, LF, 9001, outerSearch), 15_000);
    assert.equal(findInChunk(outer, LF, 15_001, outerSearch), -1);
    assert.equal(findInChunk(inner, LF, 101, innerSearch), 7000);
  });
});
