import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createFraming, type FrameDecoder, FramingError, LineFraming } from "../../mod.ts";

const utf8 = new TextEncoder();
const text = new TextDecoder();

function bytes(s: string): Uint8Array {
  return utf8.encode(s);
}

/** Feeds `chunks` to `decoder` and returns every frame it emitted, as text. */
function feed(decoder: FrameDecoder, ...chunks: string[]): string[] {
  const frames: string[] = [];
  for (const chunk of chunks) decoder.push(bytes(chunk), (f) => frames.push(text.decode(f)));
  return frames;
}

function isFramingError(code: string): (error: unknown) => boolean {
  return (error) => error instanceof FramingError && error.code === code;
}

describe("LineFraming", () => {
  const line = new LineFraming(16);

  test("LineDecoder emits one frame", () => {
    assert.deepEqual(feed(line.createDecoder(), "hello\n"), ["hello"]);
  });

  test("LineDecoder emits many frames from one chunk, in order", () => {
    assert.deepEqual(feed(line.createDecoder(), "a\nbb\n\nccc\n"), ["a", "bb", "", "ccc"]);
  });

  test("LineDecoder joins a line fed byte by byte", () => {
    const decoder = line.createDecoder();
    assert.deepEqual(feed(decoder, ..."abc\n".split("")), ["abc"]);
    assert.equal(decoder.pendingBytes, 0);
  });

  test("LineDecoder joins a line split across chunks and keeps the rest pending", () => {
    const decoder = line.createDecoder();
    assert.deepEqual(feed(decoder, "hel", "lo\nwor"), ["hello"]);
    assert.equal(decoder.pendingBytes, 3);
    assert.deepEqual(feed(decoder, "ld\n"), ["world"]);
    assert.equal(decoder.pendingBytes, 0);
  });

  test("LineDecoder emits empty lines as empty frames", () => {
    assert.deepEqual(feed(line.createDecoder(), "\n", "\r\n", "\n"), ["", "", ""]);
  });

  test("LineDecoder drops the CR of a CRLF", () => {
    assert.deepEqual(feed(line.createDecoder(), "one\r\ntwo\r\n"), ["one", "two"]);
  });

  test("LineDecoder drops a CR split from its LF across chunks", () => {
    const decoder = line.createDecoder();
    assert.deepEqual(feed(decoder, "one\r"), []);
    assert.deepEqual(feed(decoder, "\ntwo\r", "\n"), ["one", "two"]);
  });

  test("LineDecoder keeps a bare CR inside a line", () => {
    assert.deepEqual(feed(line.createDecoder(), "a\rb\r\r\n"), ["a\rb\r"]);
  });

  test("LineDecoder accepts a line of exactly the maximum", () => {
    const max = "x".repeat(16);
    assert.deepEqual(feed(line.createDecoder(), max + "\n"), [max]);
    assert.deepEqual(feed(line.createDecoder(), max + "\r\n"), [max]);
    assert.deepEqual(feed(line.createDecoder(), max.slice(0, 5), max.slice(5) + "\r", "\n"), [
      max,
    ]);
  });

  test("LineDecoder rejects max+1 with FRAME_TOO_LARGE, in one chunk or split", () => {
    const over = "x".repeat(17);
    assert.throws(() => feed(line.createDecoder(), over + "\n"), isFramingError("FRAME_TOO_LARGE"));
    assert.throws(
      () => feed(line.createDecoder(), over.slice(0, 9), over.slice(9) + "\n"),
      isFramingError("FRAME_TOO_LARGE"),
    );
  });

  test("LineDecoder rejects an endless line before buffering more than max+1 bytes", () => {
    const decoder = line.createDecoder();
    feed(decoder, "x".repeat(17));
    assert.ok(decoder.pendingBytes <= 17);
    assert.throws(() => feed(decoder, "x"), isFramingError("FRAME_TOO_LARGE"));
    assert.ok(decoder.pendingBytes <= 17);
  });

  test("LineDecoder rejects a huge unterminated chunk without holding it", () => {
    const decoder = line.createDecoder();
    assert.throws(() => feed(decoder, "y".repeat(100_000)), isFramingError("FRAME_TOO_LARGE"));
    assert.equal(decoder.pendingBytes, 0);
  });

  test("LineDecoder delivers frames completed before an oversize line", () => {
    const frames: string[] = [];
    const decoder = line.createDecoder();
    assert.throws(
      () =>
        decoder.push(
          bytes("ok\nfine\n" + "z".repeat(40) + "\n"),
          (f) => frames.push(text.decode(f)),
        ),
      isFramingError("FRAME_TOO_LARGE"),
    );
    assert.deepEqual(frames, ["ok", "fine"]);
  });

  test("LineDecoder.finish returns an unterminated last line as a final message", () => {
    const decoder = line.createDecoder();
    assert.deepEqual(feed(decoder, "first\nla", "st"), ["first"]);
    const last = decoder.finish();
    assert.ok(last);
    assert.equal(text.decode(last), "last");
    assert.equal(decoder.pendingBytes, 0);
  });

  test("LineDecoder.finish returns undefined when the input ended on a newline", () => {
    const decoder = line.createDecoder();
    feed(decoder, "done\n");
    assert.equal(decoder.finish(), undefined);
  });

  test("LineDecoder.finish rejects an unterminated line above the maximum", () => {
    const decoder = line.createDecoder();
    feed(decoder, "x".repeat(17));
    assert.throws(() => decoder.finish(), isFramingError("FRAME_TOO_LARGE"));
  });

  test("LineDecoder emits a view of the chunk, not a copy, when the line sits in one chunk", () => {
    const chunk = bytes("abc\ndef\n");
    const frames: Uint8Array[] = [];
    line.createDecoder().push(chunk, (f) => frames.push(f));
    assert.equal(frames.length, 2);
    for (const frame of frames) assert.equal(frame.buffer, chunk.buffer);
    assert.equal(frames[1]!.byteOffset, 4);
  });

  test("LineFraming.encode appends LF", () => {
    assert.deepEqual(line.encode(bytes("hi")), bytes("hi\n"));
    assert.deepEqual(line.encode(new Uint8Array(0)), bytes("\n"));
  });

  test("LineFraming.encode rejects a newline or a trailing CR with INVALID_FRAME", () => {
    assert.throws(() => line.encode(bytes("a\nb")), isFramingError("INVALID_FRAME"));
    assert.throws(() => line.encode(bytes("a\r")), isFramingError("INVALID_FRAME"));
    assert.deepEqual(line.encode(bytes("a\rb")), bytes("a\rb\n"));
  });

  test("LineFraming.encode accepts max and rejects max+1 with FRAME_TOO_LARGE", () => {
    assert.equal(line.encode(new Uint8Array(16).fill(0x61)).length, 17);
    assert.throws(
      () => line.encode(new Uint8Array(17).fill(0x61)),
      isFramingError("FRAME_TOO_LARGE"),
    );
  });

  test("LineDecoder.wholeFrames counts a chunk of plain whole lines, and nothing else", () => {
    const decoder = line.createDecoder();
    assert.equal(decoder.wholeFrames!(bytes("one\ntwo\n\n")), 3);
    assert.equal(decoder.wholeFrames!(bytes("hello\n")), 1);
    // pushWire rebuilds a CRLF line, refuses a long one, and holds a partial one.
    assert.equal(decoder.wholeFrames!(bytes("one\r\n")), 0);
    assert.equal(decoder.wholeFrames!(bytes("one\ntwo\r\n")), 0);
    assert.equal(decoder.wholeFrames!(bytes(`${"x".repeat(17)}\n`)), 0);
    assert.equal(decoder.wholeFrames!(bytes(`${"x".repeat(16)}\n`)), 1);
    assert.equal(decoder.wholeFrames!(bytes("one\ntw")), 0);
    assert.equal(decoder.wholeFrames!(new Uint8Array()), 0);
    // It decodes nothing, so the decoder still holds nothing.
    assert.equal(decoder.pendingBytes, 0);
    // Behind a partial line, the next chunk completes that line: no shortcut.
    decoder.push(bytes("par"), () => {});
    assert.equal(decoder.wholeFrames!(bytes("t\n")), 0);
  });
});

describe("createFraming", () => {
  test("createFraming defaults to 64 KiB and builds the named framing", () => {
    const line = createFraming("line");
    assert.equal(line.name, "line");
    assert.equal(line.maxFrameBytes, 65536);
    assert.equal(createFraming("length", 10).name, "length");
    assert.equal(createFraming("length", 10).maxFrameBytes, 10);
  });

  test("createFraming throws RangeError naming maxFrameBytes for a bad maximum", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 32, Infinity]) {
      assert.throws(() => createFraming("line", bad), (error: unknown) => {
        return error instanceof RangeError && error.message.includes("maxFrameBytes");
      });
    }
  });
});
