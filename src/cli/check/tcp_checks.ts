import { delay } from "../../async/delay.ts";
import { countOf } from "../count_of.ts";
import { type Check, type Evidence, type Finding, shortReason } from "./battery.ts";
import { crosstalk } from "./crosstalk_check.ts";
import { NON_ASCII_LETTERS } from "./expectation.ts";
import type { ProbeSocket } from "./probe_socket.ts";
import {
  connectProbe,
  finish,
  missingReply,
  openFirst,
  refuseTlsServer,
  replyWait,
  seconds,
  send,
  type TcpCheckContext,
  text,
  writeInPieces,
  wrongContent,
} from "./tcp_probe.ts";
import { equalBytes, joinBytes, showWire } from "./wire_text.ts";

// Pauses between the pieces of a split message: far longer than a round trip
// on a LAN, so a server that takes each recv() as a message surely sees pieces.
const PIECE_PAUSE_MS = 200;
const SEQUENCE_LENGTH = 3;
const LARGE_BYTES = 16 * 1024;
const RECONNECT_CLIENTS = 10;
// Time for a server to take a first client, or to notice a reset, before the next step.
const SETTLE_MS = 100;

type TcpCheck = Check<TcpCheckContext>;

function count(n: number, what: "reply"): string {
  return countOf(n, what, "replies");
}

const reply: TcpCheck = {
  name: "reply",
  about: "one message gets one reply",
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
      if (end !== "arrived") missing = missingReply(context, probe, end, "no reply");
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
        detail: `${count(probe.frameCount, "reply")} came for 1 message${
          keptNewline ? ", the second one empty" : ""
        }`,
        hint: keptNewline ? context.hints.keptNewline : context.hints.extraReplies,
      };
    }
    const wrong = context.expectation.mismatch(message, answer);
    if (wrong) return wrongContent(context, message, wrong);
    context.expectation.learn(message, answer);
    context.reference.message = message;
    context.reference.reply = answer;
    const note = context.expectation.asciiOnlyNote(message, answer);
    return { passed: true, detail: `1 reply: ${showWire(answer)}`, ...(note ? { note } : {}) };
  },
};

const reconnect: TcpCheck = {
  name: "reconnect",
  about: `${RECONNECT_CLIENTS} clients one after another are each answered`,
  needs: ["reply"],
  async run(context, evidence) {
    for (let client = 1; client <= RECONNECT_CLIENTS; client++) {
      const label = `client ${client}: `;
      const probe = await connectProbe(context);
      if (probe instanceof Error) {
        return {
          passed: false,
          detail:
            `client ${client} of ${RECONNECT_CLIENTS} could not connect after the previous client left: ${
              shortReason(probe)
            }`,
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
        const what = `client ${client} of ${RECONNECT_CLIENTS} got no reply`;
        return missingReply(
          context,
          probe,
          end,
          what,
          end === "closed" ? context.hints.exitsAfterOneClient : undefined,
        );
      }
    }
    return { passed: true, detail: `all ${RECONNECT_CLIENTS} clients were answered` };
  },
};

const sequence: TcpCheck = {
  name: "sequence",
  about: `${SEQUENCE_LENGTH} messages on one connection, one at a time, get a reply each, in order`,
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
        if (index === 0) return missingReply(context, probe, end, "no reply to message 1");
        const hint = end === "closed"
          ? context.hints.closesAfterOneMessage
          : context.hints.stopsAnswering;
        return missingReply(context, probe, end, `no reply to message ${index + 1}`, hint);
      }
    } finally {
      await finish(context, probe, evidence);
    }
    if (probe.frameCount > SEQUENCE_LENGTH) {
      return {
        passed: false,
        detail: `${probe.frameCount} replies came for ${SEQUENCE_LENGTH} messages`,
        hint: context.hints.extraReplies,
      };
    }
    for (const [index, message] of messages.entries()) {
      const wrong = context.expectation.mismatch(message, probe.frames[index]!);
      if (wrong) {
        return wrongContent(context, message, `reply ${index + 1}: ${wrong}`);
      }
    }
    context.reference.sequence = { messages, replies: probe.frames.slice(0, SEQUENCE_LENGTH) };
    return { passed: true, detail: `${SEQUENCE_LENGTH} replies, in order` };
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
  const expected = showWire(joinBytes(reference.map((r) => context.framing.encode(r))));
  const differs = got.findIndex((frame, i) => !reference[i] || !equalBytes(frame, reference[i]));
  if (frameCount === reference.length && differs === -1) {
    return { passed: true, detail: `the same ${count(frameCount, "reply")} as ${how}` };
  }
  const detail = frameCount !== reference.length
    ? `${count(frameCount, "reply")} came; ${how} got ${reference.length}`
    : `reply ${differs + 1} is not the one ${how} got`;
  return { passed: false, detail, hint, expected };
}

const split: TcpCheck = {
  name: "split",
  about: "a message written in 3 pieces with pauses gets the same reply as written whole",
  needs: ["reply"],
  async run(context, evidence) {
    const { message, reply } = context.reference;
    const probe = await openFirst(context);
    let end;
    try {
      const wire = context.framing.encode(message!);
      await writeInPieces(probe, wire, 3, PIECE_PAUSE_MS, evidence);
      end = await probe.waitForFrames(1, replyWait(context));
    } finally {
      await finish(context, probe, evidence);
    }
    if (end !== "arrived") {
      return missingReply(context, probe, end, "no reply", context.hints.recvAsMessage);
    }
    return compareWith(
      context,
      probe,
      [reply!],
      "the same message written whole (check reply)",
      context.hints.recvAsMessage,
    );
  },
};

const pipelined: TcpCheck = {
  name: "pipelined",
  about: `${SEQUENCE_LENGTH} messages in one write get the same replies as one at a time`,
  needs: ["sequence"],
  async run(context, evidence) {
    const { messages, replies } = context.reference.sequence!;
    const probe = await openFirst(context);
    let end;
    try {
      const wire = joinBytes(messages.map((m) => context.framing.encode(m)));
      evidence.noteSent(wire, "one write: ");
      await probe.write(wire);
      end = await probe.waitForFrames(SEQUENCE_LENGTH, replyWait(context));
    } finally {
      await finish(context, probe, evidence);
    }
    if (end !== "arrived" && probe.frameCount === 0) {
      return missingReply(context, probe, end, "no reply", context.hints.recvAsMessage);
    }
    return compareWith(
      context,
      probe,
      replies,
      "the same messages sent one at a time (check sequence)",
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
  about: "a 16 KiB message gets its whole reply",
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
        `no whole reply to ${message.length} bytes`,
        context.hints.notWhole,
      );
    }
    if (probe.frameCount > 1) {
      return {
        passed: false,
        detail: `${probe.frameCount} replies came for 1 message of ${message.length} bytes`,
        hint: context.hints.notWhole,
      };
    }
    const answer = probe.frames[0]!;
    const wrong = context.expectation.mismatch(message, answer);
    if (!wrong) return { passed: true, detail: `1 reply of ${answer.length} bytes` };
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
  about: "when the client sends FIN after a reply, the server closes its side",
  needs: ["reply"],
  async run(context, evidence) {
    const message = text("socklab check half-close");
    const probe = await openFirst(context);
    try {
      await send(context, probe, message, evidence);
      const end = await probe.waitForFrames(1, replyWait(context));
      if (end !== "arrived") return missingReply(context, probe, end, "no reply");
      evidence.sent.push("FIN");
      probe.halfClose();
      if (!(await probe.waitForClose(replyWait(context)))) {
        if (probe.stoppedReading) {
          return {
            passed: false,
            detail:
              `the server kept sending after the client's FIN (${probe.receivedBytes} bytes in all) and did not close`,
            hint: context.hints.ignoresFin,
          };
        }
        return {
          passed: false,
          detail: `the server did not close within ${
            seconds(context.timeoutMs)
          } of the client's FIN`,
          hint: context.hints.ignoresFin,
        };
      }
    } finally {
      await finish(context, probe, evidence);
    }
    return { passed: true, detail: "the server closed after the FIN" };
  },
};

const concurrent: TcpCheck = {
  name: "concurrent",
  about: "a second client is answered while the first stays connected and silent",
  needs: ["reply"],
  async run(context, evidence) {
    const first = await openFirst(context);
    try {
      evidence.sent.push("client 1: connects and sends nothing");
      await delay(SETTLE_MS);
      const finding = await newClientAnswered(context, evidence, "socklab check concurrent", {
        notConnected: "a second client could not connect",
        noReply: "the second client got no reply",
        noReplyNote: " while the first stayed connected",
        hint: context.hints.oneClientAtATime,
        // The first leaves first, so a server that serves one client at a time
        // gets to answer the second before it closes, and is not reset.
        leaveFirst: () => finish(context, first),
      });
      if (finding) return finding;
      return { passed: true, detail: "the second client was answered" };
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
    notConnected: string;
    noReply: string;
    /** Added after the whole no-reply detail, timeout included. */
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
      detail: `${about.notConnected}: ${shortReason(client)}`,
      hint: about.hint,
    };
  }
  let end;
  try {
    await send(context, client, text(message), evidence, "client 2: ");
    end = await client.waitForFrames(1, replyWait(context));
  } finally {
    await about.leaveFirst?.();
    await finish(context, client, evidence, "client 2: ");
  }
  if (end === "arrived") return undefined;
  const finding = missingReply(context, client, end, about.noReply, about.hint);
  // The card shows what came during the close; a reply there came too late, and says so.
  const late = about.leaveFirst && end === "timeout" && client.frameCount > 0
    ? "; it came only after client 1 closed"
    : "";
  return { ...finding, detail: `${finding.detail}${about.noReplyNote ?? ""}${late}` };
}

const reset: TcpCheck = {
  name: "reset",
  about: "after a client resets in the middle of a message, a new client is still answered",
  needs: ["reply"],
  async run(context, evidence) {
    const doomed = await openFirst(context);
    const wire = context.framing.encode(text("socklab check reset, never finished"));
    const half = wire.subarray(0, Math.floor(wire.length / 2));
    evidence.noteSent(half, "client 1: ");
    await doomed.write(half);
    await delay(SETTLE_MS);
    evidence.sent.push("client 1: RST (reset)");
    await doomed.abort();
    await delay(SETTLE_MS);
    const finding = await newClientAnswered(context, evidence, "socklab check reset, new client", {
      notConnected: "a new client could not connect after the reset",
      noReply: "a new client got no reply after the reset",
      hint: context.hints.diesOnReset,
    });
    if (finding) return finding;
    return { passed: true, detail: "a new client was answered after the reset" };
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
