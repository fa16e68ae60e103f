import { delay, settlesWithin } from "../async/mod.ts";
import { type Check, type Evidence, type Finding, shortReason } from "./battery.ts";
import { say } from "./lang/mod.ts";
import type { ProbeSocket } from "./probe_socket.ts";
import {
  connectProbe,
  finish,
  missingReply,
  openFirst,
  replies,
  replyWait,
  send,
  type TcpCheckContext,
  text,
  wrongContent,
} from "./tcp_probe.ts";

// Far past a round trip on a LAN: a reply sent to the wrong client as well has arrived by then.
const STRAY_WAIT_MS = 200;

/** Waits until `done()` or `ms` passed, waking whenever any of `probes` gets bytes or closes. */
async function waitUntil(
  probes: readonly ProbeSocket[],
  done: () => boolean,
  ms: number,
): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (done()) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await settlesWithin(Promise.race(probes.map((probe) => probe.changed())), left);
  }
}

// Whether a probe can still get a reply: not once it closed, failed to frame, or stopped reading.
function stillOpen(probe: ProbeSocket): boolean {
  return !probe.peerClosed && !probe.framingError && !probe.stoppedReading;
}

function crossed(context: TcpCheckContext, detail: string): Finding {
  return { passed: false, detail, hint: context.hints.crossedReplies };
}

/**
 * Client 2 speaks first: its reply proves the server has accepted it, so a
 * shared variable (a global conn) now points at it. Then client 1, the older
 * connection, speaks: a server that replies on that variable puts client 1's
 * reply on client 2's connection, and one that replies to every client puts
 * a copy on the other one each time. `concurrent` cannot see either: there
 * only the newest client speaks.
 */
async function judgeCrosstalk(
  context: TcpCheckContext,
  older: ProbeSocket,
  newer: ProbeSocket,
  evidence: Evidence,
): Promise<Finding> {
  const { detail } = context.words;
  const [label1, label2] = [1, 2].map((n) => say(context.words.evidence.client, { n }));
  const one = text("socklab check crosstalk, client 1");
  const two = text("socklab check crosstalk, client 2");
  await send(context, newer, two, evidence, label2);
  await waitUntil(
    [older, newer],
    () => newer.frameCount > 0 || older.frameCount > 0 || !stillOpen(newer),
    replyWait(context),
  );
  await delay(STRAY_WAIT_MS);
  if (newer.frameCount === 0 && older.frameCount > 0) {
    return crossed(context, detail.crossedToOlder);
  }
  if (newer.frameCount === 0) {
    const end = stillOpen(newer) ? "timeout" : "closed";
    return missingReply(context, newer, end, detail.newerNoReply);
  }
  if (older.frameCount > 0) {
    return crossed(context, detail.olderGotNewers);
  }
  const newerBefore = newer.frameCount;
  await send(context, older, one, evidence, label1);
  await waitUntil(
    [older, newer],
    () => older.frameCount > 0 || newer.frameCount > newerBefore || !stillOpen(older),
    replyWait(context),
  );
  await delay(STRAY_WAIT_MS);
  if (older.frameCount === 0 && newer.frameCount > newerBefore) {
    return crossed(context, detail.crossedToNewer);
  }
  if (older.frameCount === 0) {
    return missingReply(
      context,
      older,
      stillOpen(older) ? "timeout" : "closed",
      detail.olderNoReply,
      context.hints.crossedReplies,
    );
  }
  if (newer.frameCount > newerBefore) {
    return crossed(context, detail.newerGotOlders);
  }
  for (
    const [label, probe, message] of [[label1, older, one], [label2, newer, two]] as const
  ) {
    // `reply` passed, so more replies than messages here are most likely another client's.
    if (probe.frameCount > 1) {
      return crossed(
        context,
        say(detail.repliesForItsOne, {
          label: label!,
          replies: replies(context.words, probe.frameCount),
        }),
      );
    }
    const wrong = context.expectation.mismatch(message, probe.frames[0]!);
    if (wrong) {
      const finding = wrongContent(context, message, wrong);
      return { ...finding, detail: `${label}${finding.detail}` };
    }
  }
  return { passed: true, detail: detail.ownRepliesOnly };
}

/** Replies on another client's connection: the bug `concurrent` and `reset` cannot see. */
export const crosstalk: Check<TcpCheckContext> = {
  name: "crosstalk",
  about: (words) => words.about.crosstalk,
  needs: ["concurrent"],
  async run(context, evidence) {
    const older = await openFirst(context);
    let newer: ProbeSocket | Error | undefined;
    try {
      newer = await connectProbe(context);
      if (newer instanceof Error) {
        return {
          passed: false,
          detail: say(context.words.detail.secondNotConnected, { reason: shortReason(newer) }),
          hint: context.hints.oneClientAtATime,
        };
      }
      evidence.sent.push(context.words.evidence.bothConnect);
      return await judgeCrosstalk(context, older, newer, evidence);
    } finally {
      const label = (n: number) => say(context.words.evidence.client, { n });
      await finish(context, older, evidence, label(1));
      if (newer && !(newer instanceof Error)) await finish(context, newer, evidence, label(2));
    }
  },
};
