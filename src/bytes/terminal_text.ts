import { lenientText } from "./lenient_text.ts";

// C0 controls (except tab), DEL and C1 controls: what a terminal may act on.
// Then the bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E,
// U+2066-U+2069), which reorder what follows them on screen so one peer's text
// can read as another's, and the line and paragraph separators (U+2028,
// U+2029), which some terminals and editors show as a new line.
const CONTROL =
  // deno-lint-ignore no-control-regex
  /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/**
 * Makes text from the wire safe to print: control characters (escape
 * sequences, bells, carriage returns) are shown as `\xNN`, and bidirectional
 * controls and line separators as `\u{NNNN}`, so one peer cannot move
 * another's cursor, recolour or clear their terminal, or make a line look like
 * someone else's.
 * @example
 * ```ts
 * import { escapeControl } from "./terminal_text.ts";
 * if (escapeControl("hi\x1b[2J") !== "hi\\x1b[2J") throw new Error();
 * if (escapeControl("a\u202eb") !== "a\\u{202e}b") throw new Error();
 * ```
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u{${code.toString(16).padStart(4, "0")}}`;
  });
}

/** Text for display from any bytes: invalid UTF-8 shows as U+FFFD, controls escaped. */
export function displayBytes(bytes: Uint8Array): string {
  return escapeControl(lenientText(bytes));
}
