import fc from "fast-check";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createFraming, type FrameDecoder, type Framing, FramingError } from "../../mod.ts";

const LF = 0x0a;
const CR = 0x0d;
const RUNS = 5000;
const MAX = 64;

/** Cuts `bytes` at the given points (any values; they are reduced modulo the length). */
function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    // Copies, so no chunk shares a buffer with the encoded stream or another chunk.
    chunks.push(bytes.slice(from, point));
    from = point;
  }
  return chunks;
}

function encodeAll(framing: Framing, messages: Uint8Array[]): Uint8Array {
  const parts = messages.map((m) => framing.encode(m));
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Decodes `chunks` to the end of input, copying each frame as soon as it is emitted. */
function decodeAll(framing: Framing, chunks: Uint8Array[]): Uint8Array[] {
  const decoder = framing.createDecoder();
  const frames: Uint8Array[] = [];
  for (const c of chunks) decoder.push(c, (frame) => frames.push(frame.slice()));
  const last = decoder.finish();
  if (last) frames.push(last.slice());
  return frames;
}

const anyBytes = fc.uint8Array({ maxLength: MAX });
// What a line can carry: no LF anywhere, no CR at the end; CR elsewhere is welcome.
const lineBytes = fc.uint8Array({ maxLength: MAX })
  .map((bytes) => bytes.map((b) => (b === LF ? CR : b)))
  .filter((bytes) => bytes[bytes.length - 1] !== CR);
const cuts = fc.array(fc.nat(), { maxLength: 40 });

describe("framing properties", () => {
  test("LineFraming decode(encode(messages)) returns the messages for any chunking", () => {
    const framing = createFraming("line", MAX);
    fc.assert(
      fc.property(fc.array(lineBytes, { maxLength: 20 }), cuts, (messages, at) => {
        const decoded = decodeAll(framing, chunk(encodeAll(framing, messages), at));
        assert.deepEqual(decoded, messages);
      }),
      { numRuns: RUNS },
    );
  });

  test("LineFraming decodes CRLF-terminated messages for any chunking", () => {
    const framing = createFraming("line", MAX);
    fc.assert(
      fc.property(fc.array(lineBytes, { maxLength: 20 }), cuts, (messages, at) => {
        const wire = new Uint8Array(messages.flatMap((m) => [...m, CR, LF]));
        assert.deepEqual(decodeAll(framing, chunk(wire, at)), messages);
      }),
      { numRuns: RUNS },
    );
  });

  test("LengthFraming decode(encode(messages)) returns the messages for any chunking", () => {
    const framing = createFraming("length", MAX);
    fc.assert(
      fc.property(fc.array(anyBytes, { maxLength: 20 }), cuts, (messages, at) => {
        const decoded = decodeAll(framing, chunk(encodeAll(framing, messages), at));
        assert.deepEqual(decoded, messages);
      }),
      { numRuns: RUNS },
    );
  });

  for (const name of ["line", "length"] as const) {
    test(`${name} decoder given garbage only throws FramingError and never exceeds the max`, () => {
      const max = 16;
      const framing = createFraming(name, max);
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 48 }), { maxLength: 12 }), (chunks) => {
          const decoder = framing.createDecoder();
          try {
            for (const c of chunks) {
              decoder.push(c, (frame) => assert.ok(frame.length <= max, `frame ${frame.length}`));
              assert.ok(decoder.pendingBytes <= max + 4, `pending ${decoder.pendingBytes}`);
            }
            const last = decoder.finish();
            if (last) assert.ok(last.length <= max, `final frame ${last.length}`);
          } catch (error) {
            if (!(error instanceof FramingError)) throw error;
            assert.ok(
              ["FRAME_TOO_LARGE", "TRUNCATED_FRAME"].includes(error.code),
              `unexpected code ${error.code}`,
            );
          }
        }),
        { numRuns: RUNS },
      );
    });
  }

  // What an echo server sends back must not depend on which path made it.
  for (const name of ["line", "length"] as const) {
    test(`${name} pushWire, and wholeFrames before it, hand back what push then reframe would, for any chunking`, () => {
      const framing = createFraming(name, 16);
      // Bytes rich in LF, CR and small length prefixes, so every path is taken.
      const wireByte = fc.constantFrom(0, 0, 0, 3, LF, CR, 0x61);
      fc.assert(
        fc.property(
          fc.array(wireByte, { maxLength: 120 }),
          cuts,
          fc.boolean(),
          (bytes, at, backToBack) => {
            const stream = new Uint8Array(bytes);
            assertEchoPathsAgree(framing, backToBack ? viewsOf(stream, at) : chunk(stream, at));
          },
        ),
        { numRuns: RUNS },
      );
    });
  }

  // Chunks of several KiB take the searches for long inputs: on Deno, a copy
  // searched in WebAssembly 16 bytes at a time.
  test("line pushWire and wholeFrames agree with push on chunks of several KiB", () => {
    const framing = createFraming("line", 2048);
    // Long lines ending in LF, CRLF, a bare CR or nothing (so joined to the next),
    // some over the maximum.
    const segment = fc.record({
      length: fc.nat(3000),
      end: fc.constantFrom([LF], [LF], [CR, LF], [CR], []),
    });
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.boolean(),
        (segments, at, backToBack) => {
          const bytes: number[] = [];
          for (const { length, end } of segments) {
            for (let i = 0; i < length; i++) bytes.push(0x61);
            bytes.push(...end);
          }
          const stream = new Uint8Array(bytes);
          assertEchoPathsAgree(framing, backToBack ? viewsOf(stream, at) : chunk(stream, at));
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** push then reframe, pushWire, and wholeFrames with pushWire behind it give the same bytes. */
function assertEchoPathsAgree(framing: Framing, chunks: Uint8Array[]): void {
  const expected = outcome(framing, chunks, (decoder, c, out) =>
    decoder.push(c, (frame) => {
      out.bytes.push(...framing.reframe(frame));
      out.frames++;
    }));
  const actual = outcome(
    framing,
    chunks,
    (decoder, c, out) =>
      decoder.pushWire(c, (wire, frames) => {
        out.bytes.push(...wire);
        out.frames += frames;
      }),
  );
  assert.deepEqual(actual, expected);
  // The echo's shortcut: a chunk of whole frames goes back as it is, the rest through pushWire.
  const shortcut = outcome(framing, chunks, (decoder, c, out) => {
    const frames = decoder.wholeFrames!(c);
    if (frames > 0) {
      out.bytes.push(...c);
      out.frames += frames;
      return;
    }
    decoder.pushWire(c, (wire, n) => {
      out.bytes.push(...wire);
      out.frames += n;
    });
  });
  assert.deepEqual(shortcut, expected);
}

function outcome(
  framing: Framing,
  chunks: Uint8Array[],
  feed: (decoder: FrameDecoder, c: Uint8Array, out: Outcome) => void,
): Outcome {
  const decoder = framing.createDecoder();
  const out: Outcome = { bytes: [], frames: 0, error: undefined };
  try {
    for (const c of chunks) feed(decoder, c, out);
  } catch (error) {
    if (!(error instanceof FramingError)) throw error;
    out.error = error.message;
  }
  return out;
}

interface Outcome {
  bytes: number[];
  frames: number;
  error: string | undefined;
}

/** Cuts `bytes` like `chunk`, but into views lying back to back in one buffer, as Deno's reads do. */
function viewsOf(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const copy = bytes.slice();
  let from = 0;
  return chunk(bytes, cuts).map((c) => {
    const view = copy.subarray(from, from + c.length);
    from += c.length;
    return view;
  });
}
