import { delay } from "../async/mod.ts";
import { secondsText } from "../bytes/mod.ts";
import type { SocketAddress } from "../net/mod.ts";
import { type Budget, type Check, type Evidence, type Finding, Unreachable } from "./battery.ts";
import { type Expectation, NON_ASCII_LETTERS } from "./expectation.ts";
import { type Catalogue, say } from "./lang/mod.ts";
import { UdpProbe } from "./udp_probe.ts";
import { showWire } from "./wire_text.ts";

// Fits one Ethernet frame with IP and UDP headers, and is well past the
// 1024-byte buffer a student's recvfrom() often has.
const LARGE_BYTES = 1400;
// Far past a round trip on a LAN: a reply sent to another client as well has arrived by then.
const STRAY_WAIT_MS = 200;

/** What every UDP check works with. */
export interface UdpCheckContext {
  readonly address: SocketAddress;
  readonly expectation: Expectation;
  /** How long to wait for each reply (`--timeout`). */
  readonly timeoutMs: number;
  readonly budget: Budget;
  /** The report's language. */
  readonly words: Catalogue;
  /** Every client socket opened, closed when the battery ends. */
  readonly probes: UdpProbe[];
}

type UdpCheck = Check<UdpCheckContext>;

const utf8 = new TextEncoder();

async function openProbe(context: UdpCheckContext): Promise<UdpProbe> {
  const probe = await UdpProbe.open(context.address);
  context.probes.push(probe);
  return probe;
}

function wait(context: UdpCheckContext): number {
  return context.budget.waitMs(context.timeoutMs);
}

function datagrams(words: Catalogue, n: number): string {
  return `${n} ${n === 1 ? words.noun.datagram : words.noun.datagrams}`;
}

/**
 * Sends `message` from `probe` and waits for one datagram; returns the
 * finding when none came, or when the server flooded this client.
 */
async function exchange(
  context: UdpCheckContext,
  probe: UdpProbe,
  message: Uint8Array,
  evidence: Evidence,
  label = "",
): Promise<Finding | undefined> {
  const { udp, udpHint } = context.words;
  const before = probe.datagrams.length;
  if (!probe.flooded) {
    evidence.noteSent(message, label);
    probe.send(message, context.address);
  }
  const arrived = await probe.waitFor(before + 1, wait(context));
  if (probe.flooded) {
    return {
      passed: false,
      detail: say(udp.flooded, {
        received: probe.received,
        sent: datagrams(context.words, probe.sent),
      }),
      hint: udpHint.extraReplies,
    };
  }
  if (arrived) return undefined;
  if (probe.error) throw new Unreachable(probe.error, udpHint.portUnreachable);
  return {
    passed: false,
    detail: say(udp.noReplyWithin, { seconds: secondsText(context.timeoutMs) }),
    hint: udpHint.noReply,
  };
}

function judge(
  context: UdpCheckContext,
  message: Uint8Array,
  reply: Uint8Array,
  passed: string,
): Finding {
  const wrong = context.expectation.mismatch(message, reply);
  if (!wrong) return { passed: true, detail: passed };
  const expected = context.expectation.expected(message)!;
  const { udpHint } = context.words;
  return {
    passed: false,
    detail: wrong,
    hint: reply.length < expected.length ? udpHint.truncated : udpHint.wrongContent,
    expected: showWire(expected, context.words.wire),
  };
}

const reply: UdpCheck = {
  name: "reply",
  about: (words) => words.about.udpReply,
  needs: [],
  async run(context, evidence) {
    const probe = await openProbe(context);
    // With --expect upper, letters beyond A-Z tell a server that upper-cases
    // text from one that upper-cases bytes.
    const message = utf8.encode(
      context.expectation.name === "upper"
        ? `socklab check reply, ${NON_ASCII_LETTERS}`
        : "socklab check reply",
    );
    const missing = await exchange(context, probe, message, evidence);
    const [answer] = probe.datagrams;
    if (answer) evidence.noteReceived(answer.message.bytes);
    if (missing) return missing;
    if (probe.from(context.address).length === 0) {
      return {
        passed: false,
        detail: say(context.words.udp.otherSender, {
          host: answer!.from.hostname,
          port: answer!.from.port,
        }),
        hint: context.words.udpHint.wrongSender,
      };
    }
    const finding = judge(context, message, answer!.message.bytes, context.words.udp.oneReply);
    if (!finding.passed) return finding;
    context.expectation.learn(message, answer!.message.bytes);
    const note = context.expectation.asciiOnlyNote(message, answer!.message.bytes);
    return note ? { ...finding, note } : finding;
  },
};

const twoClients: UdpCheck = {
  name: "two-clients",
  about: (words) => words.about.udpTwoClients,
  needs: ["reply"],
  async run(context, evidence) {
    const [first] = context.probes as [UdpProbe];
    const second = await openProbe(context);
    const firstBefore = first.datagrams.length;
    const one = utf8.encode("socklab check two-clients, client 1");
    const two = utf8.encode("socklab check two-clients, client 2");
    const { udp, udpHint, evidence: evidenceWords } = context.words;
    const label1 = say(evidenceWords.udpClient, { n: 1, port: first.port });
    const label2 = say(evidenceWords.udpClient, { n: 2, port: second.port });
    const [client1, client2] = [1, 2].map((n) => say(evidenceWords.client, { n }));
    const missing1 = await exchange(context, first, one, evidence, label1);
    const missing2 = await exchange(context, second, two, evidence, label2);
    // A copy of client 2's reply sent to client 1 as well comes about when client 2's own does.
    if (!missing2) await delay(STRAY_WAIT_MS);
    for (const datagram of first.datagrams.slice(firstBefore)) {
      evidence.noteReceived(datagram.message.bytes, label1);
    }
    for (const datagram of second.datagrams) evidence.noteReceived(datagram.message.bytes, label2);
    if (second.datagrams.length === 0) {
      evidence.received.push(`${label2}${context.words.wire.nothing}`);
    }
    if (missing2 && first.datagrams.length - firstBefore > 1) {
      return {
        passed: false,
        detail: say(udp.wentToFirst, { first: first.port, second: second.port }),
        hint: udpHint.firstPeerOnly,
      };
    }
    if (missing1) return { ...missing1, detail: `${client1}${missing1.detail}` };
    if (!missing2 && first.datagrams.length - firstBefore > 1) {
      return {
        passed: false,
        detail: say(udp.firstGotBoth, { count: first.datagrams.length - firstBefore }),
        hint: udpHint.toEveryPeer,
      };
    }
    if (missing2) {
      return { ...missing2, detail: `${client2}${missing2.detail}`, hint: udpHint.firstPeerOnly };
    }
    const reply1 = first.datagrams[firstBefore]!.message.bytes;
    const reply2 = second.datagrams[0]!.message.bytes;
    const wrong = judge(context, one, reply1, "");
    if (!wrong.passed) return { ...wrong, detail: `${client1}${wrong.detail}` };
    return judge(context, two, reply2, udp.ownReplies);
  },
};

const large: UdpCheck = {
  name: "large",
  about: (words) => say(words.about.udpLarge, { bytes: LARGE_BYTES }),
  needs: ["reply"],
  async run(context, evidence) {
    const [probe] = context.probes as [UdpProbe];
    const head = "socklab check large ";
    const message = utf8.encode(head.padEnd(LARGE_BYTES, "0123456789"));
    const before = probe.datagrams.length;
    const missing = await exchange(context, probe, message, evidence);
    const answer = probe.datagrams[before]?.message.bytes;
    if (answer) evidence.noteReceived(answer);
    if (missing && !probe.flooded) {
      return { ...missing, hint: context.words.udpHint.truncatedOrTooLarge };
    }
    if (missing) return missing;
    if (context.expectation.expected(message) === undefined) {
      return {
        passed: true,
        detail: say(context.words.udp.largeNotCompared, { bytes: answer!.length }),
      };
    }
    return judge(
      context,
      message,
      answer!,
      say(context.words.udp.largeWhole, { bytes: answer!.length }),
    );
  },
};

/** The UDP checks, in the order they run. */
export const UDP_CHECKS: readonly UdpCheck[] = [reply, twoClients, large];
