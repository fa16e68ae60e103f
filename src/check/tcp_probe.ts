import { delay } from "../async/mod.ts";
import { secondsText } from "../bytes/mod.ts";
import type { Framing } from "../framing/mod.ts";
import { NetError, type SocketAddress } from "../net/mod.ts";
import type { TlsConnectOptions, TlsSession } from "../tcp/mod.ts";
import { type Budget, type Evidence, type Finding, ServerGone, Unreachable } from "./battery.ts";
import type { Expectation } from "./expectation.ts";
import type { Hints } from "./hints.ts";
import { type Catalogue, say } from "./lang/mod.ts";
import { ProbeSocket, type WaitEnd } from "./probe_socket.ts";
import { showWire } from "./wire_text.ts";

// How long a closing probe waits for the server's FIN after its own, at most:
// long enough for a server to finish answering, short enough for a hung one.
const CLOSE_GRACE_MS = 1000;

/** What every TCP check works with. */
export interface TcpCheckContext {
  readonly address: SocketAddress;
  readonly framing: Framing;
  readonly expectation: Expectation;
  /** How long to wait for each reply (`--timeout`). */
  readonly timeoutMs: number;
  readonly budget: Budget;
  /** The report's language. */
  readonly words: Catalogue;
  readonly hints: Hints;
  /** With --tls: how every probe trusts the server, and what the first handshake negotiated. */
  readonly tls?: { readonly trust: TlsConnectOptions; session?: TlsSession };
  /** Replies earlier checks got, for later ones to compare with. */
  readonly reference: {
    message?: Uint8Array;
    reply?: Uint8Array;
    sequence?: { messages: Uint8Array[]; replies: Uint8Array[] };
  };
}

const utf8 = new TextEncoder();

/** A check's message as bytes. */
export function text(message: string): Uint8Array {
  return utf8.encode(message);
}

/** `n` replies, with the noun that fits the number in the report's language. */
export function replies(words: Catalogue, n: number): string {
  return `${n} ${n === 1 ? words.noun.reply : words.noun.replies}`;
}

/** How long to wait for a reply now: `--timeout`, or what is left of the battery's time. */
export function replyWait(context: TcpCheckContext): number {
  return context.budget.waitMs(context.timeoutMs);
}

/** Connects; a failure is returned as the error, for checks where refusal is the finding. */
export async function connectProbe(context: TcpCheckContext): Promise<ProbeSocket | Error> {
  const { tls } = context;
  try {
    const probe = await ProbeSocket.open(
      context.address,
      context.framing,
      replyWait(context) || 1,
      tls?.trust,
    );
    if (tls) tls.session ??= probe.tls;
    return probe;
  } catch (error) {
    return error as Error;
  }
}

/**
 * Stops the battery when a probe without TLS was answered with a TLS record:
 * every check would otherwise judge the server's TLS alerts as its replies.
 * @throws {Unreachable} naming --tls.
 */
export function refuseTlsServer(context: TcpCheckContext, probe: ProbeSocket): void {
  if (!probe.spokeTls) return;
  const error = new NetError(
    "TLS_HANDSHAKE_FAILED",
    "the server speaks TLS: it answered with a TLS record",
    { operation: "receive", address: context.address },
  );
  throw new Unreachable(error, undefined, "speaksTls");
}

/**
 * A check's first connection. Failing here means the server is gone (or, for
 * the first check of all, was never there), which the battery reports once.
 * @throws {Unreachable} when `first`, {@linkcode ServerGone} otherwise.
 */
export async function openFirst(context: TcpCheckContext, first = false): Promise<ProbeSocket> {
  const probe = await connectProbe(context);
  if (!(probe instanceof Error)) return probe;
  throw first ? new Unreachable(probe) : new ServerGone(probe);
}

/** Closes a probe politely (FIN, then a short wait for the server's), noting what it received. */
export async function finish(
  context: TcpCheckContext,
  probe: ProbeSocket,
  evidence?: Evidence,
  label = "",
): Promise<void> {
  await probe.finish(context.budget.waitMs(Math.min(context.timeoutMs, CLOSE_GRACE_MS)));
  evidence?.noteReceived(probe.received(), label, probe.receivedBytes);
}

/** Frames `message`, notes it as sent, and writes it. */
export async function send(
  context: TcpCheckContext,
  probe: ProbeSocket,
  message: Uint8Array,
  evidence: Evidence,
  label = "",
): Promise<void> {
  const wire = context.framing.encode(message);
  evidence.noteSent(wire, label);
  await probe.write(wire);
}

/**
 * The finding for replies that did not all come: what happened, and the hint
 * for a server that said nothing or the check's own hint for one that closed
 * or went quiet.
 */
export function missingReply(
  context: TcpCheckContext,
  probe: ProbeSocket,
  end: WaitEnd,
  what: string,
  hint?: string,
): Finding {
  const { hints } = context;
  const words = context.words.missing;
  const bytes = probe.receivedBytes;
  if (probe.framingError) {
    return {
      passed: false,
      detail: `${what}: ${probe.framingError.message}`,
      hint: hints.unreadable,
    };
  }
  if (probe.stoppedReading && end === "closed") {
    return {
      passed: false,
      detail: say(words.stoppedReading, { what, bytes }),
      hint: hints.noNewline,
    };
  }
  if (end === "timeout") {
    const partial = bytes > 0 && probe.frameCount === 0;
    return {
      passed: false,
      detail: say(partial ? words.timeoutPartial : words.timeout, {
        what,
        seconds: secondsText(context.timeoutMs),
        bytes,
      }),
      hint: partial ? hints.noNewline : hint ?? hints.noReply,
    };
  }
  return {
    passed: false,
    detail: say(probe.reset ? words.resetFirst : words.closedFirst, { what }),
    hint: hint ?? hints.closedWithoutReply,
  };
}

/** Writes `wire` in `pieces` parts with `pauseMs` between them, noting each. */
export async function writeInPieces(
  context: TcpCheckContext,
  probe: ProbeSocket,
  wire: Uint8Array,
  pieces: number,
  pauseMs: number,
  evidence: Evidence,
): Promise<void> {
  const size = Math.ceil(wire.length / pieces);
  for (let at = 0, index = 1; at < wire.length; at += size, index++) {
    if (at > 0) await delay(pauseMs);
    const piece = wire.subarray(at, at + size);
    evidence.noteSent(piece, say(context.words.evidence.piece, { n: index }));
    await probe.write(piece);
  }
}

/** The finding for a reply whose content is not what --expect asks for. */
export function wrongContent(context: TcpCheckContext, message: Uint8Array, why: string): Finding {
  const expected = context.expectation.expected(message);
  return {
    passed: false,
    detail: why,
    hint: context.hints.wrongContent,
    ...(expected
      ? { expected: showWire(context.framing.encode(expected), context.words.wire) }
      : {}),
  };
}
