import fc from "fast-check";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createFraming, FramingError, Message } from "../../mod.ts";

const utf8 = new TextEncoder();

describe("Message.text and encoding text", () => {
  test("Message.text decodes valid UTF-8, a real U+FFFD included", () => {
    assert.equal(new Message(utf8.encode("héllo ✓ 🙂")).text, "héllo ✓ 🙂");
    assert.equal(new Message(new Uint8Array([0xef, 0xbf, 0xbd, 0x61])).text, "\uFFFDa");
    assert.equal(new Message(new Uint8Array(0)).text, "");
  });

  test("Message.text throws INVALID_UTF8 for bytes that are not UTF-8", () => {
    for (const bad of [[0xff], [0x61, 0xc3], [0xed, 0xa0, 0x80], [0xef, 0xbf, 0xbd, 0x80]]) {
      assert.throws(
        () => new Message(new Uint8Array(bad)).text,
        (error: unknown) => error instanceof FramingError && error.code === "INVALID_UTF8",
        `bytes ${bad}`,
      );
    }
  });

  test("Message.text agrees with a strict decoder on any bytes", () => {
    const strict = new TextDecoder("utf-8", { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        let expected: string | undefined;
        try {
          expected = strict.decode(bytes);
        } catch {
          expected = undefined;
        }
        let actual: string | undefined;
        try {
          actual = new Message(bytes).text;
        } catch {
          actual = undefined;
        }
        assert.equal(actual, expected);
      }),
      { numRuns: 3000 },
    );
  });

  for (const name of ["line", "length"] as const) {
    test(`${name} framing encodes text exactly as its UTF-8 bytes`, () => {
      const framing = createFraming(name, 64);
      const text = fc.string({ unit: "grapheme", maxLength: 30 })
        .filter((s) => !s.includes("\n") && !s.endsWith("\r"));
      fc.assert(
        fc.property(text, (s) => {
          const bytes = utf8.encode(s);
          if (bytes.length > 64) {
            assert.throws(() => framing.encode(s), /exceeds the limit of 64 bytes/);
          } else {
            assert.deepEqual(framing.encode(s), framing.encode(bytes));
          }
        }),
        { numRuns: 3000 },
      );
    });
  }

  test("line framing refuses text with a newline or a final CR, like the same bytes", () => {
    const line = createFraming("line");
    for (const bad of ["a\nb", "a\r", "\n"]) {
      assert.throws(
        () => line.encode(bad),
        (error: unknown) => error instanceof FramingError && error.code === "INVALID_FRAME",
      );
    }
    assert.deepEqual(line.encode("a\rb"), utf8.encode("a\rb\n"));
  });
});
