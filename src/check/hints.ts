import type { FramingName } from "../framing/mod.ts";
import { type Catalogue, say } from "./lang/mod.ts";

/**
 * One sentence per likely bug, each with its fix, worded for the framing in
 * use: what a student reads under a failed check.
 */
export interface Hints {
  noReply: string;
  noNewline: string;
  closedWithoutReply: string;
  extraReplies: string;
  /** Line framing: every reply followed by an empty one, the request's newline kept. */
  keptNewline: string;
  unreadable: string;
  wrongContent: string;
  exitsAfterOneClient: string;
  closesAfterOneMessage: string;
  stopsAnswering: string;
  recvAsMessage: string;
  notWhole: string;
  ignoresFin: string;
  oneClientAtATime: string;
  diesOnReset: string;
  crossedReplies: string;
}

/** The hints for a TCP server that speaks `framing`, in the language of `words`. */
export function tcpHints(framing: FramingName, words: Catalogue): Hints {
  const { hint } = words;
  const line = framing === "line";
  const read = line ? words.framing.readLine : words.framing.readLength;
  const ending = line ? words.framing.endingLine : words.framing.endingLength;
  const framed = (text: string) => say(text, { read, ending });
  return {
    noReply: framed(hint.noReply),
    noNewline: line ? hint.noNewlineLine : hint.noNewlineLength,
    closedWithoutReply: framed(hint.closedWithoutReply),
    extraReplies: framed(hint.extraReplies),
    keptNewline: hint.keptNewline,
    unreadable: line ? hint.unreadableLine : hint.unreadableLength,
    wrongContent: hint.wrongContent,
    exitsAfterOneClient: hint.exitsAfterOneClient,
    closesAfterOneMessage: hint.closesAfterOneMessage,
    stopsAnswering: framed(hint.stopsAnswering),
    recvAsMessage: framed(hint.recvAsMessage),
    notWhole: framed(hint.notWhole),
    ignoresFin: hint.ignoresFin,
    oneClientAtATime: hint.oneClientAtATime,
    diesOnReset: hint.diesOnReset,
    crossedReplies: hint.crossedReplies,
  };
}
