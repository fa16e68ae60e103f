import { delay } from "../../async/delay.ts";
import type { SocketAddress } from "../../net/types.ts";
import { countOf } from "../count_of.ts";
import type { Budget, Check, Evidence, Finding } from "./battery.ts";
import { Unreachable } from "./battery.ts";
import { type Expectation, NON_ASCII_LETTERS } from "./expectation.ts";
import { UDP_HINTS } from "./hints.ts";
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

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
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
  const before = probe.datagrams.length;
  if (!probe.flooded) {
    evidence.noteSent(message, label);
    probe.send(message, context.address);
  }
  const arrived = await probe.waitFor(before + 1, wait(context));
  if (probe.flooded) {
    return {
      passed: false,
      detail: `${probe.received} datagrams came back for ${
        countOf(probe.sent, "datagram", "datagrams")
      } sent, and the client stopped reading`,
      hint: UDP_HINTS.extraReplies,
    };
  }
  if (arrived) return undefined;
  if (probe.error) throw new Unreachable(probe.error, UDP_HINTS.portUnreachable);
  return {
    passed: false,
    detail: `no reply within ${seconds(context.timeoutMs)}`,
    hint: UDP_HINTS.noReply,
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
  return {
    passed: false,
    detail: wrong,
    hint: reply.length < expected.length ? UDP_HINTS.truncated : UDP_HINTS.wrongContent,
    expected: showWire(expected),
  };
}

const reply: UdpCheck = {
  name: "reply",
  about: "one datagram gets one reply, from the address it was sent to",
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
        detail: `the reply came from ${answer!.from.hostname} port ${answer!.from.port}`,
        hint: UDP_HINTS.wrongSender,
      };
    }
    const finding = judge(context, message, answer!.message.bytes, "1 reply");
    if (!finding.passed) return finding;
    context.expectation.learn(message, answer!.message.bytes);
    const note = context.expectation.asciiOnlyNote(message, answer!.message.bytes);
    return note ? { ...finding, note } : finding;
  },
};

const twoClients: UdpCheck = {
  name: "two-clients",
  about: "two clients on different ports each get their own reply, at their own address",
  needs: ["reply"],
  async run(context, evidence) {
    const [first] = context.probes as [UdpProbe];
    const second = await openProbe(context);
    const firstBefore = first.datagrams.length;
    const one = utf8.encode("socklab check two-clients, client 1");
    const two = utf8.encode("socklab check two-clients, client 2");
    const label1 = `client 1 (port ${first.port}): `;
    const label2 = `client 2 (port ${second.port}): `;
    const missing1 = await exchange(context, first, one, evidence, label1);
    const missing2 = await exchange(context, second, two, evidence, label2);
    // A copy of client 2's reply sent to client 1 as well comes about when client 2's own does.
    if (!missing2) await delay(STRAY_WAIT_MS);
    for (const datagram of first.datagrams.slice(firstBefore)) {
      evidence.noteReceived(datagram.message.bytes, label1);
    }
    for (const datagram of second.datagrams) evidence.noteReceived(datagram.message.bytes, label2);
    if (second.datagrams.length === 0) evidence.received.push(`${label2}nothing`);
    if (missing2 && first.datagrams.length - firstBefore > 1) {
      return {
        passed: false,
        detail:
          `client 2's reply went to client 1's address (port ${first.port}), not to port ${second.port}`,
        hint: UDP_HINTS.firstPeerOnly,
      };
    }
    if (missing1) return { ...missing1, detail: `client 1: ${missing1.detail}` };
    if (!missing2 && first.datagrams.length - firstBefore > 1) {
      return {
        passed: false,
        detail: `client 1 also got the reply to client 2 (${
          first.datagrams.length - firstBefore
        } datagrams for its 1)`,
        hint: UDP_HINTS.toEveryPeer,
      };
    }
    if (missing2) {
      return { ...missing2, detail: `client 2: ${missing2.detail}`, hint: UDP_HINTS.firstPeerOnly };
    }
    const reply1 = first.datagrams[firstBefore]!.message.bytes;
    const reply2 = second.datagrams[0]!.message.bytes;
    const wrong = judge(context, one, reply1, "");
    if (!wrong.passed) return { ...wrong, detail: `client 1: ${wrong.detail}` };
    return judge(context, two, reply2, "each client got its own reply");
  },
};

const large: UdpCheck = {
  name: "large",
  about: `a ${LARGE_BYTES}-byte datagram comes back whole`,
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
      return { ...missing, hint: `${UDP_HINTS.truncated} (or it cannot send a reply this large)` };
    }
    if (missing) return missing;
    if (context.expectation.expected(message) === undefined) {
      return {
        passed: true,
        detail: `1 reply of ${
          answer!.length
        } bytes (not compared: the server answers in its own words)`,
      };
    }
    return judge(context, message, answer!, `1 reply of ${answer!.length} bytes, whole`);
  },
};

/** The UDP checks, in the order they run. */
export const UDP_CHECKS: readonly UdpCheck[] = [reply, twoClients, large];
