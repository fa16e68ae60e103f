import { equalBytes, lenientText } from "../bytes/mod.ts";
import { type Catalogue, say } from "./lang/mod.ts";

/** What a reply must be, as `--expect` says. */
export type ExpectName = "echo" | "upper" | "any";

/** The values `--expect` takes. */
export const EXPECT_NAMES: readonly ExpectName[] = ["echo", "upper", "any"];

const utf8 = new TextEncoder();

function upper(bytes: Uint8Array): Uint8Array {
  return utf8.encode(lenientText(bytes).toUpperCase());
}

// What upper-casing bytes rather than text gives (Python's bytes.upper(), C's toupper() per byte).
function asciiUpper(bytes: Uint8Array): Uint8Array {
  return bytes.map((byte) => byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte);
}

/** The text of a message with letters beyond A-Z, for `--expect upper` to tell text from bytes. */
export const NON_ASCII_LETTERS = "café señor";

/**
 * Judges reply contents. `echo` and `upper` are fixed; `any` learns from the
 * first reply how the server answers (unchanged, in upper case, or in its own
 * words) so a later large message can still be checked for coming back whole.
 */
export class Expectation {
  readonly name: ExpectName;
  readonly #words: Catalogue["expect"];
  #learned: "echo" | "upper" | "own" | undefined;

  /** @param words The report's language, for what a mismatch or note says. */
  constructor(name: ExpectName, words: Catalogue) {
    this.name = name;
    this.#words = words.expect;
  }

  /** Notes how the server answered `message`; only `any` uses it. */
  learn(message: Uint8Array, reply: Uint8Array): void {
    if (this.#learned !== undefined) return;
    if (equalBytes(reply, message)) this.#learned = "echo";
    else if (equalBytes(reply, upper(message))) this.#learned = "upper";
    else this.#learned = "own";
  }

  /** The reply `message` must get, or undefined when any reply will do. */
  expected(message: Uint8Array): Uint8Array | undefined {
    const rule = this.name === "any" ? this.#learned : this.name;
    if (rule === "echo") return message;
    if (rule === "upper") return upper(message);
    return undefined;
  }

  /**
   * With `--expect upper`, the note for a reply where only A-Z changed though
   * the message has other letters: it passes, since most student servers work
   * on bytes and the lab asked for upper case, but it is worth fixing.
   */
  asciiOnlyNote(message: Uint8Array, reply: Uint8Array): string | undefined {
    if (this.name !== "upper" || !this.#asciiOnly(message, reply)) return undefined;
    const letters = [...new Set(lenientText(message))]
      .filter((char) => char > "\x7f" && char.toUpperCase() !== char);
    const quoted = (chars: string[]) => chars.map((char) => `"${char}"`).join(", ");
    return say(this.#words.asciiOnly, {
      letters: quoted(letters),
      upper: quoted(letters.map((char) => char.toUpperCase())),
    });
  }

  #asciiOnly(message: Uint8Array, reply: Uint8Array): boolean {
    return !equalBytes(reply, upper(message)) && equalBytes(reply, asciiUpper(message));
  }

  /** Why `reply` is wrong for `message`, or undefined when it will do. */
  mismatch(message: Uint8Array, reply: Uint8Array): string | undefined {
    const expected = this.expected(message);
    if (expected === undefined || equalBytes(reply, expected)) return undefined;
    if (this.name === "upper" && this.#asciiOnly(message, reply)) return undefined;
    const rule = this.name === "any" ? this.#learned : this.name;
    const words = this.#words;
    const what = rule === "echo" ? words.echo : words.upper;
    const why = this.name === "any" ? words.likeFirst : say(words.flag, { name: this.name });
    return expected.length !== reply.length
      ? say(words.mismatchSized, { what, why, expected: expected.length, got: reply.length })
      : say(words.mismatch, { what, why });
  }
}
