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

  /** Why `reply` is wrong for `message`, or undefined when it will do. */
  mismatch(message: Uint8Array, reply: Uint8Array): string | undefined {
    const expected = this.expected(message);
    if (expected === undefined || equalBytes(reply, expected)) return undefined;
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
