import { equalBytes } from "./wire_text.ts";

/** What a reply must be, as `--expect` says. */
export type ExpectName = "echo" | "upper" | "any";

/** The values `--expect` takes. */
export const EXPECT_NAMES: readonly ExpectName[] = ["echo", "upper", "any"];

const utf8 = new TextEncoder();
const lenient = new TextDecoder("utf-8", { fatal: false });

function upper(bytes: Uint8Array): Uint8Array {
  return utf8.encode(lenient.decode(bytes).toUpperCase());
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
  #learned: "echo" | "upper" | "own" | undefined;

  constructor(name: ExpectName) {
    this.name = name;
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
    const letters = [...new Set(lenient.decode(message))]
      .filter((char) => char > "\x7f" && char.toUpperCase() !== char);
    const quoted = (chars: string[]) => chars.map((char) => `"${char}"`).join(", ");
    return `only A-Z were upper-cased: ${
      quoted(letters)
    } came back unchanged, where upper case gives ${
      quoted(letters.map((char) => char.toUpperCase()))
    } (as socklab's --mode upper does); your server upper-cases bytes: decode them, upper-case the text, encode it (line.decode().upper().encode())`;
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
    const what = rule === "echo" ? "the message back unchanged" : "the message in upper case";
    const why = this.name === "any"
      ? ", as the server did with the first message"
      : ` (--expect ${this.name})`;
    return expected.length !== reply.length
      ? `expected ${what}${why}: ${expected.length} bytes, got ${reply.length}`
      : `expected ${what}${why}`;
  }
}
