import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type FrameDecoder, FramingError, LengthFraming } from "../../mod.ts";

function frame(payload: number[]): Uint8Array {
  const n = payload.length;
  return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, ...payload]);
}

function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Feeds `chunks` and returns copies of every frame emitted. */
function feed(decoder: FrameDecoder, ...chunks: Uint8Array[]): number[][] {
  const frames: number[][] = [];
  for (const chunk of chunks) decoder.push(chunk, (f) => frames.push([...f]));
  return frames;
}

function isFramingError(code: string): (error: unknown) => boolean {
  return (error) => error instanceof FramingError && error.code === code;
}

describe("LengthFraming", () => {
  const length = new LengthFraming(16);

  test("LengthDecoder emits one frame", () => {
    assert.deepEqual(feed(length.createDecoder(), frame([1, 2, 3])), [[1, 2, 3]]);
  });

  test("LengthDecoder emits many frames from one chunk, in order", () => {
    const chunk = join(frame([1]), frame([]), frame([10, 0, 13]), frame([255]));
    assert.deepEqual(feed(length.createDecoder(), chunk), [[1], [], [10, 0, 13], [255]]);
  });

  test("LengthDecoder reads a header fed byte by byte", () => {
    const decoder = length.createDecoder();
    const bytes = frame([7, 8, 9]);
    const frames: number[][] = [];
    for (let i = 0; i < bytes.length; i++) {
      frames.push(...feed(decoder, bytes.subarray(i, i + 1)));
      if (i < bytes.length - 1) assert.equal(decoder.pendingBytes, i + 1);
    }
    assert.deepEqual(frames, [[7, 8, 9]]);
    assert.equal(decoder.pendingBytes, 0);
  });

  test("LengthDecoder joins a payload split across chunks", () => {
    const bytes = frame([1, 2, 3, 4, 5, 6]);
    const decoder = length.createDecoder();
    assert.deepEqual(feed(decoder, bytes.subarray(0, 6)), []);
    assert.deepEqual(feed(decoder, bytes.subarray(6, 8), bytes.subarray(8)), [[1, 2, 3, 4, 5, 6]]);
  });

  test("LengthDecoder splits a header across chunks after a full frame", () => {
    const bytes = join(frame([1]), frame([2, 3]));
    const decoder = length.createDecoder();
    assert.deepEqual(feed(decoder, bytes.subarray(0, 7)), [[1]]);
    assert.deepEqual(feed(decoder, bytes.subarray(7)), [[2, 3]]);
  });

  test("LengthDecoder emits an empty payload, also when its header ends the chunk", () => {
    const decoder = length.createDecoder();
    assert.deepEqual(feed(decoder, frame([])), [[]]);
    assert.deepEqual(feed(decoder, frame([]).subarray(0, 2), frame([]).subarray(2)), [[]]);
    assert.equal(decoder.finish(), undefined);
  });

  test("LengthDecoder accepts exactly the maximum", () => {
    const max = Array.from({ length: 16 }, (_, i) => i);
    assert.deepEqual(feed(length.createDecoder(), frame(max)), [max]);
    const decoder = length.createDecoder();
    const bytes = frame(max);
    assert.deepEqual(feed(decoder, bytes.subarray(0, 9), bytes.subarray(9)), [max]);
  });

  test("LengthDecoder rejects max+1 with FRAME_TOO_LARGE as soon as the header is read", () => {
    const over = frame(new Array(17).fill(1));
    assert.throws(() => feed(length.createDecoder(), over), isFramingError("FRAME_TOO_LARGE"));
    // Only the header has arrived: the error comes before any payload is buffered.
    const decoder = length.createDecoder();
    assert.throws(() => feed(decoder, over.subarray(0, 4)), isFramingError("FRAME_TOO_LARGE"));
    assert.equal(decoder.pendingBytes, 0);
  });

  test("LengthDecoder rejects a 4 GiB length prefix without allocating it", () => {
    const decoder = length.createDecoder();
    const huge = new Uint8Array([0xff, 0xff, 0xff, 0xff]);
    assert.throws(() => feed(decoder, huge.subarray(0, 1), huge.subarray(1)), (error: unknown) => {
      return error instanceof FramingError && error.code === "FRAME_TOO_LARGE"
        && error.message.includes("4294967295");
    });
    assert.equal(decoder.pendingBytes, 0);
    // A decoder with a 4 GiB maximum could not allocate that much; reaching here proves it never tried.
    const roomy = new LengthFraming(2 ** 32 - 2).createDecoder();
    assert.throws(() => feed(roomy, huge), isFramingError("FRAME_TOO_LARGE"));
  });

  test("LengthDecoder delivers frames completed before an oversize header", () => {
    const frames: number[][] = [];
    const decoder = length.createDecoder();
    const bytes = join(frame([1]), frame([2]), new Uint8Array([0, 0, 1, 0]));
    assert.throws(
      () => decoder.push(bytes, (f) => frames.push([...f])),
      isFramingError("FRAME_TOO_LARGE"),
    );
    assert.deepEqual(frames, [[1], [2]]);
  });

  test("LengthDecoder.finish throws TRUNCATED_FRAME inside a header", () => {
    const decoder = length.createDecoder();
    feed(decoder, new Uint8Array([0, 0]));
    assert.throws(() => decoder.finish(), isFramingError("TRUNCATED_FRAME"));
  });

  test("LengthDecoder.finish throws TRUNCATED_FRAME inside a payload", () => {
    const decoder = length.createDecoder();
    assert.deepEqual(feed(decoder, frame([1, 2, 3]).subarray(0, 5)), []);
    assert.throws(() => decoder.finish(), isFramingError("TRUNCATED_FRAME"));
  });

  test("LengthDecoder.finish after a header announcing a payload throws TRUNCATED_FRAME", () => {
    const decoder = length.createDecoder();
    feed(decoder, frame([1, 2]).subarray(0, 4));
    assert.throws(() => decoder.finish(), isFramingError("TRUNCATED_FRAME"));
  });

  test("LengthDecoder.finish returns undefined on a frame boundary", () => {
    const decoder = length.createDecoder();
    feed(decoder, frame([1]));
    assert.equal(decoder.finish(), undefined);
  });

  test("LengthDecoder emits a view of the chunk, not a copy, when the frame sits in one chunk", () => {
    const chunk = join(frame([1, 2]), frame([3, 4, 5]));
    const frames: Uint8Array[] = [];
    length.createDecoder().push(chunk, (f) => frames.push(f));
    assert.equal(frames.length, 2);
    for (const f of frames) assert.equal(f.buffer, chunk.buffer);
    assert.equal(frames[1]!.byteOffset, 10);
  });

  test("LengthFraming.encode writes a big-endian length and the payload", () => {
    const payload = new Uint8Array(258).fill(0x0a);
    const encoded = new LengthFraming(1000).encode(payload);
    assert.deepEqual([...encoded.subarray(0, 4)], [0, 0, 1, 2]);
    assert.deepEqual(encoded.subarray(4), payload);
    assert.deepEqual(length.encode(new Uint8Array(0)), new Uint8Array(4));
  });

  test("LengthFraming.encode accepts max and rejects max+1 with FRAME_TOO_LARGE", () => {
    assert.equal(length.encode(new Uint8Array(16)).length, 20);
    assert.throws(() => length.encode(new Uint8Array(17)), isFramingError("FRAME_TOO_LARGE"));
  });

  test("LengthFraming.encode of a subarray encodes only the view", () => {
    const backing = new Uint8Array([9, 9, 1, 2, 9]);
    assert.deepEqual([...length.encode(backing.subarray(2, 4))], [0, 0, 0, 2, 1, 2]);
  });
  test("LengthDecoder.wholeFrames counts a chunk of whole frames, and nothing else", () => {
    const decoder = length.createDecoder();
    assert.equal(decoder.wholeFrames!(join(frame([1, 2]), frame([]), frame([3]))), 3);
    assert.equal(decoder.wholeFrames!(frame(new Array(16).fill(7))), 1);
    // pushWire refuses an oversize prefix and holds a partial frame or prefix.
    assert.equal(decoder.wholeFrames!(frame(new Array(17).fill(7))), 0);
    assert.equal(decoder.wholeFrames!(frame([1, 2]).subarray(0, 5)), 0);
    assert.equal(decoder.wholeFrames!(join(frame([1]), new Uint8Array([0, 0]))), 0);
    assert.equal(decoder.wholeFrames!(new Uint8Array()), 0);
    assert.equal(decoder.pendingBytes, 0);
    // Behind a partial frame, the next chunk completes that frame: no shortcut.
    decoder.push(frame([1, 2]).subarray(0, 5), () => {});
    assert.equal(decoder.wholeFrames!(frame([2])), 0);
  });
});
