/**
 * The rules for chat names: what a name may be made of, which names are
 * reserved, and when two names are too alike to tell apart on a screen.
 *
 * A name is kept in NFKC form, so fullwidth or mathematical letters become the
 * plain ones (`ｓｅｒｖｅｒ` is `server`). Two names clash when their
 * look-alike keys are equal: the key drops nonspacing marks (accents, and the
 * dots that hide under a letter), maps common Cyrillic, Greek, Armenian and
 * Latin look-alikes of Latin letters to those letters, and ignores case; so
 * `ѕerver` (Cyrillic s) is `server`, and `Вob` is `bob`. Digits of other
 * scripts are not mapped to ASCII digits, which is why a guest name is matched
 * with any decimal digit. A name cannot hold characters that show as nothing
 * or as a blank (Unicode's default-ignorable characters, such as U+3164
 * HANGUL FILLER and the bidirectional controls), nor pile up combining marks.
 * @module
 */
import { escapeControl } from "../bytes/mod.ts";

/** What the server's operator is called in the chat. */
export const OPERATOR_NAME = "server";

/** The longest name, in code points after NFKC. */
export const MAX_NAME_CHARS = 24;

// Letters, marks and digits of any script, so students can use their own
// names, and nothing that could pass for a notice, a bracket or a control.
const NAME_CHARS = /^[\p{L}\p{M}\p{N}_.-]+$/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
// Characters that render as nothing or as blank (U+3164 HANGUL FILLER, the
// variation selectors, U+034F COMBINING GRAPHEME JOINER ...): a name made of
// them, or padded with them, is a blank or a copy of another name.
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const MARK = /\p{M}/u;
// UTS #39 (5.4) suggests no more than four nonspacing marks in a row, and no
// same mark twice in a row: beyond that, marks pile up over other lines.
const MAX_MARKS_IN_A_ROW = 4;
// Nonspacing and enclosing marks, which a key ignores: some are barely visible.
const KEY_MARKS = /[\p{Mn}\p{Me}]/gu;
// The names clients get on arrival, by connection number.
const GUEST_KEY = /^guest-\p{Nd}+$/u;

// Look-alikes of Latin letters: each character in `from` reads as the
// character at the same place in `to`. A short list of the common ones from
// Unicode's confusables data, not all of it.
const LOOK_ALIKES = lookAlikeTable([
  // Cyrillic capitals, then small letters.
  ["АВСЕНІЈКМОРЅТХУҮԚԜӀѴ", "ABCEHlJKMOPSTXYYQWlV"],
  ["асеіјорѕхуүһԁԛԝӏѵгк", "aceijopsxyyhdqwlvrk"],
  // Greek capitals, then small letters.
  ["ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHlKMNOPTYX"],
  ["αονικρυχγϲϳ", "aovikpuxycj"],
  // Armenian.
  ["սօհոց", "uohng"],
  // Latin letters that look like other Latin letters. Every capital I, Latin
  // or not, reads as a small L, as it does in many fonts.
  ["Iıȷɑɡɩʀꜱᴠøłđħ", "lijagirsvoldh"],
]);

function lookAlikeTable(rows: [string, string][]): Map<string, string> {
  const table = new Map<string, string>();
  for (const [from, to] of rows) {
    const sources = [...from];
    const targets = [...to];
    if (sources.length !== targets.length) throw new Error(`look-alike row ${from} is uneven`);
    sources.forEach((source, i) => table.set(source, targets[i]!));
  }
  return table;
}

function mapLookAlikes(text: string): string {
  let out = "";
  for (const char of text) out += LOOK_ALIKES.get(char) ?? char;
  return out;
}

/**
 * The look-alike key of a name: names with equal keys are too alike for
 * readers to tell apart, so only one of them may be in use.
 * @example
 * ```ts
 * import { nameKey } from "./chat_names.ts";
 * if (nameKey("\u0455erver") !== nameKey("Server")) throw new Error();
 * ```
 */
export function nameKey(name: string): string {
  const bare = name.normalize("NFKD").replace(KEY_MARKS, "");
  return mapLookAlikes(mapLookAlikes(bare).toLowerCase()).replace(KEY_MARKS, "");
}

/** The outcome of asking for a name: the name as it will be shown, or why not. */
export type NameChoice = { name: string; problem?: undefined } | {
  name?: undefined;
  problem: string;
};

/**
 * Checks a name asked for with `/nick`: its form, then that it imitates
 * neither the operator nor a guest name (other than `current`, the asker's own
 * name), nor any of `others`, the names of everyone else in the chat.
 * @param wanted the name as typed.
 * @param current the asker's name now, which they may keep.
 * @param others everyone else's names.
 * @returns the name in the form it will be shown (NFKC), or the problem as one line.
 * @example
 * ```ts
 * import { chooseName } from "./chat_names.ts";
 * if (chooseName("Ｂｕｄｉ", "guest-1", []).name !== "Budi") throw new Error();
 * if (chooseName("ѕerver", "guest-1", []).problem === undefined) throw new Error();
 * ```
 */
export function chooseName(wanted: string, current: string, others: Iterable<string>): NameChoice {
  const shown = escapeControl(wanted);
  const name = wanted.normalize("NFKC");
  const formProblem = nameFormProblem(wanted, name);
  if (formProblem) return { problem: `${formProblem}, got '${shown}'` };
  if (name === current) return { name };
  const key = nameKey(name);
  if (key === nameKey(OPERATOR_NAME) || GUEST_KEY.test(key)) {
    return {
      problem: `the name '${shown}' is reserved${
        key === name.toLowerCase() ? "" : ` (it looks like '${key}')`
      }, pick another`,
    };
  }
  for (const other of others) {
    if (nameKey(other) !== key) continue;
    return {
      problem: name.toLowerCase() === other.toLowerCase()
        ? `the name '${shown}' is taken, pick another`
        : `the name '${shown}' looks like '${escapeControl(other)}', who is here; pick another`,
    };
  }
  return { name };
}

// What is wrong with the characters of `name` (`wanted` in NFKC), or undefined.
function nameFormProblem(wanted: string, name: string): string | undefined {
  // Looked for as typed too, so the message names the character the user typed.
  const invisible = [...wanted, ...name].find((char) => INVISIBLE.test(char));
  if (invisible !== undefined) {
    return `a name cannot hold ${codePoint(invisible)}, which shows as nothing or as a blank`;
  }
  const chars = [...name];
  if (chars.length > MAX_NAME_CHARS || !NAME_CHARS.test(name) || !LETTER_OR_DIGIT.test(name)) {
    return `a name is 1 to ${MAX_NAME_CHARS} letters, digits, '.', '_' or '-' with at least one letter or digit`;
  }
  let marks = 0;
  for (const [i, char] of chars.entries()) {
    if (!MARK.test(char)) {
      marks = 0;
      continue;
    }
    // A mark sits on the character before it; first, it would sit on the '<' of the line.
    if (i === 0) return "a name cannot start with a combining mark";
    if (++marks > MAX_MARKS_IN_A_ROW || char === chars[i - 1]) {
      return `a name cannot stack combining marks (more than ${MAX_MARKS_IN_A_ROW} in a row, or one mark twice)`;
    }
  }
  return undefined;
}

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}
