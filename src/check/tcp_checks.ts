import { delay } from "../async/mod.ts";
import { concatBytes, equalBytes, secondsText } from "../bytes/mod.ts";
import { type Check, type Evidence, type Finding, shortReason } from "./battery.ts";
import { crosstalk } from "./crosstalk_check.ts";
import { NON_ASCII_LETTERS } from "./expectation.ts";
import { say } from "./lang/mod.ts";
import type { ProbeSocket } from "./probe_socket.ts";
import {
  connectProbe,
  finish,
  missingReply,
  openFirst,
  refuseTlsServer,
  replies,
  replyWait,
  send,
  type TcpCheckContext,
  text,
  writeInPieces,
  wrongContent,
} from "./tcp_probe.ts";
import { showWire } from "./wire_text.ts";

// What several writes put on the wire, back to back.
function allOf(parts: readonly Uint8Array[]): Uint8Array {
  return concatBytes(parts, parts.reduce((sum, part) => sum + part.length, 0));
}

// Pauses between the pieces of a split message: far longer than a round trip
// on a LAN, so a server that takes each recv() as a message surely sees pieces.
const PIECE_PAUSE_MS = 200;
const SPLIT_PIECES = 3;
const SEQUENCE_LENGTH = 3;
const LARGE_BYTES = 16 * 1024;
const RECONNECT_CLIENTS = 10;
// Time for a server to take a first client, or to notice a reset, before the next step.
const SETTLE_MS = 100;

type TcpCheck = Check<TcpCheckContext>;

function clientLabel(context: TcpCheckContext, n: number): string {
  return say(context.words.evidence.client, { n });
}

const reply: TcpCheck = {
  name: "reply",
  about: (words) => words.about.reply,
  needs: [],
  async run(context, evidence) {
    // With --expect upper, letters beyond A-Z tell a server that upper-cases
    // text from one that upper-cases bytes.
    const message = text(
      context.expectation.name === "upper"
        ? `socklab check reply, ${NON_ASCII_LETTERS}`
        : "socklab check reply",
    );
    const probe = await openFirst(context, true);
    let missing: Finding | undefined;
    try {
      await send(context, probe, message, evidence);
      const end = await probe.waitForFrames(1, replyWait(context));
      if (end !== "arrived") {
        missing = missingReply(context, probe, end, context.words.detail.noReply);
      }
    } finally {
      await finish(context, probe, evidence);
    }
    refuseTlsServer(context, probe);
    if (missing) return missing;
    const [answer] = probe.frames as [Uint8Array];
    if (probe.frameCount > 1) {
      const keptNewline = probe.frameCount === 2 && probe.frames[1]!.length === 0;
      return {
        passed: false,
        detail: say(
          keptNewline
            ? context.words.detail.repliesForOneSecondEmpty
            : context.words.detail.repliesForOne,
          { replies: replies(context.words, probe.frameCount) },
        ),
        hint: keptNewline ? context.hints.keptNewline : context.hints.extraReplies,
      };
    }
    const wrong = context.expectation.mismatch(message, answer);
    if (wrong) return wrongContent(context, message, wrong);
    context.expectation.learn(message, answer);
    context.reference.message = message;
    context.reference.reply = answer;
    const note = context.expectation.asciiOnlyNote(message, answer);
    const detail = say(context.words.detail.oneReply, {
      reply: showWire(answer, context.words.wire),
    });
    return { passed: true, detail, ...(note ? { note } : {}) };
  },
};

const reconnect: TcpCheck = {
  name: "reconnect",
  about: (words) => say(words.about.reconnect, { clients: RECONNECT_CLIENTS }),
  needs: ["reply"],
  async run(context, evidence) {
    for (let client = 1; client <= RECONNECT_CLIENTS; client++) {
      const label = clientLabel(context, client);
      const which = { n: client, total: RECONNECT_CLIENTS };
      const probe = await connectProbe(context);
      if (probe instanceof Error) {
        return {
          passed: false,
          detail: say(context.words.detail.reconnectRefused, {
            ...which,
            reason: shortReason(probe),
          }),
          hint: context.hints.exitsAfterOneClient,
        };
      }
      let end;
      try {
        await send(context, probe, text(`socklab check reconnect ${client}`), evidence, label);
        end = await probe.waitForFrames(1, replyWait(context));
      } finally {
        await finish(context, probe, evidence, label);
      }
      if (end !== "arrived") {
        const what = say(context.words.detail.reconnectNoReply, which);
        return missingReply(
          context,
          probe,
          end,
          what,
          end === "closed" ? context.hints.exitsAfterOneClient : undefined,
        );
      }
    }
    return {
      passed: true,
      detail: say(context.words.detail.reconnectPassed, { total: RECONNECT_CLIENTS }),
    };
  },
};

const sequence: TcpCheck = {
  name: "sequence",
  about: (words) => say(words.about.sequence, { count: SEQUENCE_LENGTH }),
  needs: ["reply"],
  async run(context, evidence) {
    const messages = Array.from(
      { length: SEQUENCE_LENGTH },
      (_, i) => text(`socklab check sequence ${i + 1}`),
    );
    const probe = await openFirst(context);
    try {
      for (const [index, message] of messages.entries()) {
        await send(context, probe, message, evidence);
        const end = await probe.waitForFrames(index + 1, replyWait(context));
        if (end === "arrived") continue;
        const what = say(context.words.detail.noReplyToMessage, { n: index + 1 });
        if (index === 0) return missingReply(context, probe, end, what);
        const hint = end === "closed"
          ? context.hints.closesAfterOneMessage
          : context.hints.stopsAnswering;
        return missingReply(context, probe, end, what, hint);
      }
    } finally {
      await finish(context, probe, evidence);
    }
    if (probe.frameCount > SEQUENCE_LENGTH) {
      return {
        passed: false,
        detail: say(context.words.detail.repliesForMessages, {
          replies: replies(context.words, probe.frameCount),
          count: SEQUENCE_LENGTH,
        }),
        hint: context.hints.extraReplies,
      };
    }
    for (const [index, message] of messages.entries()) {
      const wrong = context.expectation.mismatch(message, probe.frames[index]!);
      if (wrong) {
        const why = say(context.words.detail.replyNumbered, { n: index + 1, why: wrong });
        return wrongContent(context, message, why);
      }
    }
    context.reference.sequence = { messages, replies: probe.frames.slice(0, SEQUENCE_LENGTH) };
    return { passed: true, detail: say(context.words.detail.inOrder, { count: SEQUENCE_LENGTH }) };
  },
};

/** Compares a probe's replies with the ones the same messages got when sent plainly. */
function compareWith(
  context: TcpCheckContext,
  probe: ProbeSocket,
  reference: readonly Uint8Array[],
  how: string,
  hint: string,
): Finding {
  const { frames: got, frameCount } = probe;
  const { words } = context;
  const expected = showWire(
    allOf(reference.map((r) => context.framing.encode(r))),
    words.wire,
  );
  const differs = got.findIndex((frame, i) => !reference[i] || !equalBytes(frame, reference[i]));
  const came = replies(words, frameCount);
  if (frameCount === reference.length && differs === -1) {
    return { passed: true, detail: say(words.detail.sameReplies, { replies: came, how }) };
  }
  const detail = frameCount !== reference.length
    ? say(words.detail.repliesCameOtherGot, { replies: came, how, count: reference.length })
    : say(words.detail.replyDiffers, { n: differs + 1, how });
  return { passed: false, detail, hint, expected };
}

const split: TcpCheck = {
  name: "split",
  about: (words) => say(words.about.split, { pieces: SPLIT_PIECES }),
  needs: ["reply"],
  async run(context, evidence) {
    const { message, reply } = context.reference;
    const probe = await openFirst(context);
    let end;
    try {
      const wire = context.framing.encode(message!);
      await writeInPieces(context, probe, wire, SPLIT_PIECES, PIECE_PAUSE_MS, evidence);
      end = await probe.waitForFrames(1, replyWait(context));
    } finally {
      await finish(context, probe, evidence);
    }
    if (end !== "arrived") {
      return missingReply(
        context,
        probe,
        end,
        context.words.detail.noReply,
        context.hints.recvAsMessage,
      );
    }
    return compareWith(
      context,
      probe,
      [reply!],
      context.words.detail.howWhole,
      context.hints.recvAsMessage,
    );
  },
};

const pipelined: TcpCheck = {
  name: "pipelined",
  about: (words) => say(words.about.pipelined, { count: SEQUENCE_LENGTH }),
  needs: ["sequence"],
  async run(context, evidence) {
    const { messages, replies } = context.reference.sequence!;
    const probe = await openFirst(context);
    let end;
    try {
      const wire = allOf(messages.map((m) => context.framing.encode(m)));
      evidence.noteSent(wire, context.words.evidence.oneWrite);
      await probe.write(wire);
      end = await probe.waitForFrames(SEQUENCE_LENGTH, replyWait(context));
    } finally {
      await finish(context, probe, evidence);
    }
    if (end !== "arrived" && probe.frameCount === 0) {
      return missingReply(
        context,
        probe,
        end,
        context.words.detail.noReply,
        context.hints.recvAsMessage,
      );
    }
    return compareWith(
      context,
      probe,
      replies,
      context.words.detail.howOneAtATime,
      probe.frameCount > SEQUENCE_LENGTH
        ? context.hints.extraReplies
        : context.hints.recvAsMessage,
    );
  },
};

function largeMessage(bytes: number): Uint8Array {
  const head = "socklab check large ";
  const filler = "0123456789abcdefghijklmnopqrstuvwxyz";
  return text((head + filler.repeat(Math.ceil(bytes / filler.length))).slice(0, bytes));
}

const large: TcpCheck = {
  name: "large",
  about: (words) => words.about.large,
  needs: ["reply"],
  async run(context, evidence) {
    const message = largeMessage(Math.min(LARGE_BYTES, context.framing.maxFrameBytes));
    const probe = await openFirst(context);
    let end;
    try {
      await send(context, probe, message, evidence);
      end = await probe.waitForFrames(1, replyWait(context));
    } finally {
      await finish(context, probe, evidence);
    }
    if (end !== "arrived") {
      return missingReply(
        context,
        probe,
        end,
        say(context.words.detail.noWholeReply, { bytes: message.length }),
        context.hints.notWhole,
      );
    }
    if (probe.frameCount > 1) {
      return {
        passed: false,
        detail: say(context.words.detail.largeReplies, {
          replies: replies(context.words, probe.frameCount),
          bytes: message.length,
        }),
        hint: context.hints.notWhole,
      };
    }
    const answer = probe.frames[0]!;
    const wrong = context.expectation.mismatch(message, answer);
    if (!wrong) {
      return {
        passed: true,
        detail: say(context.words.detail.largePassed, { bytes: answer.length }),
      };
    }
    const expected = context.expectation.expected(message)!;
    return {
      ...wrongContent(context, message, wrong),
      ...(answer.length < expected.length ? { hint: context.hints.notWhole } : {}),
    };
  },
};

// The FIN goes only after the reply: ncat --exec closes at a client's FIN
// before relaying what its program still writes, and a check must not fail it.
const halfClose: TcpCheck = {
  name: "half-close",
  about: (words) => words.about.halfClose,
  needs: ["reply"],
  async run(context, evidence) {
    const message = text("socklab check half-close");
    const probe = await openFirst(context);
    try {
      await send(context, probe, message, evidence);
      const end = await probe.waitForFrames(1, replyWait(context));
      if (end !== "arrived") return missingReply(context, probe, end, context.words.detail.noReply);
      evidence.sent.push(context.words.evidence.fin);
      probe.halfClose();
      if (!(await probe.waitForClose(replyWait(context)))) {
        if (probe.stoppedReading) {
          return {
            passed: false,
            detail: say(context.words.detail.keptSending, { bytes: probe.receivedBytes }),
            hint: context.hints.ignoresFin,
          };
        }
        return {
          passed: false,
          detail: say(context.words.detail.notClosed, { seconds: secondsText(context.timeoutMs) }),
          hint: context.hints.ignoresFin,
        };
      }
    } finally {
      await finish(context, probe, evidence);
    }
    return { passed: true, detail: context.words.detail.closedAfterFin };
  },
};

const concurrent: TcpCheck = {
  name: "concurrent",
  about: (words) => words.about.concurrent,
  needs: ["reply"],
  async run(context, evidence) {
    const first = await openFirst(context);
    try {
      const { detail } = context.words;
      evidence.sent.push(context.words.evidence.silentFirst);
      await delay(SETTLE_MS);
      const finding = await newClientAnswered(context, evidence, "socklab check concurrent", {
        notConnected: detail.secondNotConnected,
        noReply: detail.secondNoReply,
        noReplyNote: detail.whileFirstConnected,
        hint: context.hints.oneClientAtATime,
        // The first leaves first, so a server that serves one client at a time
        // gets to answer the second before it closes, and is not reset.
        leaveFirst: () => finish(context, first),
      });
      if (finding) return finding;
      return { passed: true, detail: detail.secondAnswered };
    } finally {
      await finish(context, first);
    }
  },
};

/**
 * Connects one more client (labelled client 2) and asks it one `message`: the
 * finding when it could not connect or got no reply, `undefined` when answered.
 */
async function newClientAnswered(
  context: TcpCheckContext,
  evidence: Evidence,
  message: string,
  about: {
    /** With `{reason}` for why the connection failed. */
    notConnected: string;
    noReply: string;
    /** Wraps the whole no-reply detail, timeout included, as `{detail}`. */
    noReplyNote?: string;
    hint: string;
    /** Closes another client after the message and before this one closes. */
    leaveFirst?: () => Promise<void>;
  },
): Promise<Finding | undefined> {
  const client = await connectProbe(context);
  if (client instanceof Error) {
    return {
      passed: false,
      detail: say(about.notConnected, { reason: shortReason(client) }),
      hint: about.hint,
    };
  }
  let end;
  try {
    await send(context, client, text(message), evidence, clientLabel(context, 2));
    end = await client.waitForFrames(1, replyWait(context));
  } finally {
    await about.leaveFirst?.();
    await finish(context, client, evidence, clientLabel(context, 2));
  }
  if (end === "arrived") return undefined;
  const finding = missingReply(context, client, end, about.noReply, about.hint);
  // The card shows what came during the close; a reply there came too late, and says so.
  const late = about.leaveFirst && end === "timeout" && client.frameCount > 0;
  const noted = about.noReplyNote
    ? say(about.noReplyNote, { detail: finding.detail })
    : finding.detail;
  const detail = late ? say(context.words.detail.cameLate, { detail: noted }) : noted;
  return { ...finding, detail };
}

const reset: TcpCheck = {
  name: "reset",
  about: (words) => words.about.reset,
  needs: ["reply"],
  async run(context, evidence) {
    const doomed = await openFirst(context);
    const wire = context.framing.encode(text("socklab check reset, never finished"));
    const half = wire.subarray(0, Math.floor(wire.length / 2));
    evidence.noteSent(half, clientLabel(context, 1));
    await doomed.write(half);
    await delay(SETTLE_MS);
    evidence.sent.push(context.words.evidence.reset);
    await doomed.abort();
    await delay(SETTLE_MS);
    const finding = await newClientAnswered(context, evidence, "socklab check reset, new client", {
      notConnected: context.words.detail.newNotConnected,
      noReply: context.words.detail.newNoReply,
      hint: context.hints.diesOnReset,
    });
    if (finding) return finding;
    return { passed: true, detail: context.words.detail.newAnswered };
  },
};

/**
 * The TCP checks in the order they run: the basic ones first, since later
 * ones compare with their replies; a reset last, since it may kill the server.
 */
export const TCP_CHECKS: readonly TcpCheck[] = [
  reply,
  reconnect,
  sequence,
  split,
  pipelined,
  large,
  halfClose,
  concurrent,
  crosstalk,
  reset,
];
