import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { escapeControl } from "../../src/bytes/terminal_text.ts";
import { chooseName, MAX_NAME_CHARS, nameKey } from "../../src/modes/chat_names.ts";

/** The problem chooseName reports, failing when it accepts the name instead. */
function problemWith(wanted: string, current = "guest-1", others: string[] = []): string {
  const choice = chooseName(wanted, current, others);
  assert.ok(choice.problem !== undefined, `'${wanted}' was accepted as '${choice.name}'`);
  return choice.problem;
}

describe("chooseName", () => {
  test("chooseName accepts students' own names in their own scripts", () => {
    const names = [
      "Budi",
      "Siti_2",
      "Ñandú",
      "李雷",
      "Дима",
      "Νίκος",
      "अमित",
      "ณัฐ",
      "Nguyễn",
      "a.b-c",
      "x".repeat(MAX_NAME_CHARS),
    ];
    for (const name of names) {
      assert.deepEqual(chooseName(name, "guest-1", ["guest-2", "Dimas"]), { name }, name);
    }
  });

  test("chooseName keeps a name in NFKC form, so fullwidth and decomposed letters become plain", () => {
    assert.equal(chooseName("Ｂｕｄｉ", "guest-1", []).name, "Budi");
    assert.equal(chooseName("N\u0303andu\u0301", "guest-1", []).name, "Ñandú");
  });

  test("chooseName reserves the operator's name however it is imitated", () => {
    const lookAlikes = [
      "server",
      "SERVER",
      "Server",
      "ｓｅｒｖｅｒ", // fullwidth
      "\u0455erver", // Cyrillic small dze
      "\u0455\u0435rv\u0435r", // Cyrillic dze and ie
      "\u0455\u0435\u0433\u0475\u0435\u0433", // all Cyrillic
      "\u0405ERVER", // Cyrillic capital dze
      "ser\u03bder", // Greek nu
      "𝐬𝐞𝐫𝐯𝐞𝐫", // mathematical bold
      "s\u0323erver", // a dot below, easy to miss
      "sérver",
    ];
    for (const wanted of lookAlikes) {
      assert.match(problemWith(wanted), /^the name '.*' is reserved/, wanted);
    }
  });

  test("chooseName reserves guest names, with digits of any width or script", () => {
    for (
      const wanted of ["guest-2", "Guest-2", "guest-２", "gu\u0435st-2", "guest-\u0662", "guest-10"]
    ) {
      assert.match(problemWith(wanted, "guest-1"), /is reserved/, wanted);
    }
  });

  test("chooseName lets a client keep its own guest name", () => {
    assert.deepEqual(chooseName("guest-3", "guest-3", []), { name: "guest-3" });
    assert.deepEqual(chooseName("guest-３", "guest-3", []), { name: "guest-3" });
  });

  test("chooseName refuses the name of another member however it is imitated", () => {
    assert.equal(problemWith("BOB", "guest-1", ["bob"]), "the name 'BOB' is taken, pick another");
    for (const wanted of ["\u0412ob", "b\u043eb", "ｂｏｂ", "bób"]) {
      const problem = problemWith(wanted, "guest-1", ["guest-2", "bob"]);
      assert.match(problem, /is taken, pick another$|looks like 'bob', who is here/, wanted);
    }
    // Capital I and small L read alike in many fonts.
    assert.match(problemWith("AIi", "guest-1", ["Ali"]), /looks like 'Ali'/);
  });

  test("chooseName refuses invisible and blank-looking characters, naming the one typed", () => {
    const cases: [string, string][] = [
      ["\u3164", "U+3164"], // Hangul filler, a letter that shows as a blank
      ["\u3164\u3164", "U+3164"],
      ["bob\u3164", "U+3164"],
      ["\uffa0", "U+FFA0"],
      ["\u115f", "U+115F"],
      ["bo\u200bb", "U+200B"],
      ["bob\ufe0f", "U+FE0F"],
      ["b\u034fob", "U+034F"],
      ["bob\u202e", "U+202E"],
      ["\u00adbob", "U+00AD"],
    ];
    for (const [wanted, codePoint] of cases) {
      assert.equal(
        problemWith(wanted),
        `a name cannot hold ${codePoint}, which shows as nothing or as a blank, got '${
          escapeControl(wanted)
        }'`,
        codePoint,
      );
    }
  });

  test("chooseName refuses spaces, symbols, names with no letter or digit, and overlong names", () => {
    const bad = [
      "two words",
      "<bob>",
      "*",
      "...",
      "_",
      "-",
      "x".repeat(MAX_NAME_CHARS + 1),
      "a\u3000b",
    ];
    for (const wanted of bad) {
      assert.match(problemWith(wanted), /^a name is 1 to 24 letters/, wanted);
    }
  });

  test("chooseName refuses a leading combining mark and stacked marks", () => {
    assert.match(problemWith("\u0301bob"), /cannot start with a combining mark/);
    assert.match(problemWith("b\u0300\u0301\u0302\u0303\u0304ob"), /cannot stack combining marks/);
    assert.match(problemWith("b\u0308\u0308ob"), /cannot stack combining marks/);
  });

  test("chooseName shows what was typed with controls escaped", () => {
    assert.match(problemWith("a\x1b[2Jb"), /got 'a\\x1b\[2Jb'$/);
  });
});

describe("nameKey", () => {
  test("nameKey is equal for look-alikes and differs for different names", () => {
    assert.equal(nameKey("\u0455erver"), nameKey("server"));
    assert.equal(nameKey("\u0406van"), nameKey("Ivan"));
    assert.notEqual(nameKey("Budi"), nameKey("Dima"));
    assert.notEqual(nameKey("Дима"), nameKey("Dima"));
    assert.notEqual(nameKey("guest-1"), nameKey("guest-7"));
  });
});

describe("escapeControl", () => {
  test("escapeControl shows bidi controls and line separators as \\u{NNNN}", () => {
    const controls = [
      0x061c,
      0x200e,
      0x200f,
      0x202a,
      0x202b,
      0x202c,
      0x202d,
      0x202e,
      0x2066,
      0x2067,
      0x2068,
      0x2069,
      0x2028,
      0x2029,
    ];
    for (const code of controls) {
      const char = String.fromCharCode(code);
      assert.equal(
        escapeControl(`a${char}b`),
        `a\\u{${code.toString(16).padStart(4, "0")}}b`,
        code.toString(16),
      );
    }
  });

  test("escapeControl leaves tabs, right-to-left letters and joiners as they are", () => {
    for (const text of ["a\tb", "שלום", "مرحبا", "👩\u200d💻", "ñ"]) {
      assert.equal(escapeControl(text), text);
    }
    assert.equal(escapeControl("\x1b\x7f\x9f"), "\\x1b\\x7f\\x9f");
  });
});
