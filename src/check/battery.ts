import { describeError } from "../errors/mod.ts";
import { NetError } from "../net/mod.ts";
import { type Catalogue, say } from "./lang/mod.ts";
import { showWire } from "./wire_text.ts";

/** How one check ended. */
export type CheckStatus = "passed" | "failed" | "not run";

/** One line of a report card: a named check and what it found. */
export interface CheckResult {
  readonly name: string;
  /** What the check asks of a server, in one line. */
  readonly about: string;
  readonly status: CheckStatus;
  /** What happened, in one line. */
  readonly detail: string;
  /** What was sent, each write or datagram shown escaped. */
  readonly sent: readonly string[];
  /** What came back, shown escaped. */
  readonly received: readonly string[];
  /** What should have come back, when the check knows. */
  readonly expected?: string;
  /** On failure: the likely bug and its fix, in one sentence. */
  readonly hint?: string;
  /** On a pass: something worth fixing that the lab does not fail, and how. */
  readonly note?: string;
}

/** What a check concluded. */
export type Finding =
  | { passed: true; detail: string; note?: string }
  | { passed: false; detail: string; hint: string; expected?: string };

/** What a check sent and received, kept for the report card. */
export class Evidence {
  readonly sent: string[] = [];
  readonly received: string[] = [];
  readonly #wire: Catalogue["wire"];

  /** @param words The report's language, for sizes and "nothing". */
  constructor(words: Catalogue) {
    this.#wire = words.wire;
  }

  /** Notes bytes sent, with an optional label such as "client 2". */
  noteSent(bytes: Uint8Array, label = ""): void {
    this.sent.push(`${label}${showWire(bytes, this.#wire)}`);
  }

  /**
   * Notes bytes received, with an optional label; `totalBytes` when `bytes`
   * is only the first of what came.
   */
  noteReceived(bytes: Uint8Array, label = "", totalBytes = bytes.length): void {
    this.received.push(`${label}${showWire(bytes, this.#wire, undefined, totalBytes)}`);
  }
}

/**
 * Thrown by a check that could not start: its first connection failed after
 * earlier checks had connected, so the server stopped accepting. The check
 * and every later one are reported as not run, not as more failures.
 */
export class ServerGone extends Error {
  constructor(cause: unknown) {
    super(shortReason(cause), { cause });
  }
}

/** A failure's own words, without the advice `describeError` adds for a user's own typing. */
export function shortReason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Thrown by the first check when the server cannot be reached at all. */
export class Unreachable extends Error {
  /** Why no check could run, as each one's "not run" line says, in the report's language. */
  readonly notRun: keyof Catalogue["unreachable"];

  constructor(
    cause: unknown,
    message = describeError(cause),
    notRun: keyof Catalogue["unreachable"] = whyUnreachable(cause),
  ) {
    super(message, { cause });
    this.notRun = notRun;
  }
}

/** Why no check could run, in a few words: a TLS failure is not an absent server. */
export function whyUnreachable(cause: unknown): keyof Catalogue["unreachable"] {
  const code = cause instanceof NetError ? cause.code : undefined;
  if (code === "TLS_HANDSHAKE_FAILED") return "tlsFailed";
  if (code === "CERTIFICATE_UNTRUSTED") return "untrusted";
  return "cannotReach";
}

/** A time limit for the whole battery, shared by every wait in it. */
export class Budget {
  readonly totalMs: number;
  readonly #ends: number;

  constructor(totalMs: number) {
    this.totalMs = totalMs;
    this.#ends = Date.now() + totalMs;
  }

  /** `limitMs`, or less when the battery's time is nearly up. */
  waitMs(limitMs: number): number {
    return Math.max(0, Math.min(limitMs, this.#ends - Date.now()));
  }

  /** True once the battery's time is up. */
  get expired(): boolean {
    return Date.now() >= this.#ends;
  }
}

/** One named check. */
export interface Check<C> {
  readonly name: string;
  /** What the check asks of a server, in one line of the report's language. */
  about(words: Catalogue): string;
  /** Checks that must pass first: their replies are what this one builds on or compares with. */
  readonly needs: readonly string[];
  run(context: C, evidence: Evidence): Promise<Finding>;
}

/** A battery's outcome: every check in order, and why nothing ran when the server was not there. */
export interface BatteryResult {
  readonly checks: readonly CheckResult[];
  /** Set when the server could not be reached, so no check could run. */
  readonly error?: string;
  /** With `error`: the failure's stable code (`CONNECTION_REFUSED`, ...), when it had one. */
  readonly errorCode?: string;
}

/** The stable code of a failure, when it is a NetError. */
export function netErrorCode(cause: unknown): string | undefined {
  return cause instanceof NetError ? cause.code : undefined;
}

function timeUp(budget: Budget, words: Catalogue): string {
  return say(words.battery.timeUp, { seconds: budget.totalMs / 1000 });
}

/**
 * Runs `checks` in order. A check whose needs did not pass, or that comes
 * after the server stopped accepting or after the time budget ran out, is
 * reported as not run with the reason, so one cause is one failure.
 */
export async function runBattery<C>(
  checks: readonly Check<C>[],
  context: C,
  budget: Budget,
  words: Catalogue,
): Promise<BatteryResult> {
  const results: CheckResult[] = [];
  const statusOf = new Map<string, CheckStatus>();
  let stopped: string | undefined;
  let error: string | undefined;
  let errorCode: string | undefined;
  for (const check of checks) {
    const evidence = new Evidence(words);
    const base = { name: check.name, about: check.about(words), sent: evidence.sent };
    const notRun = (detail: string): CheckResult => ({
      ...base,
      received: evidence.received,
      status: "not run",
      detail,
    });
    const unmet = check.needs.find((name) => statusOf.get(name) !== "passed");
    let result: CheckResult;
    if (stopped !== undefined) result = notRun(stopped);
    else if (budget.expired) {
      stopped = timeUp(budget, words);
      result = notRun(stopped);
    } else if (unmet !== undefined) result = notRun(say(words.battery.needs, { check: unmet }));
    else {
      try {
        const { passed, ...finding } = await check.run(context, evidence);
        // A wait cut short by the battery's limit is not the server's whole story.
        if (!passed && budget.expired) finding.detail += ` (${timeUp(budget, words)})`;
        result = {
          ...base,
          received: evidence.received,
          ...finding,
          status: passed ? "passed" : "failed",
        };
      } catch (caught) {
        if (caught instanceof Unreachable) {
          error = caught.message;
          errorCode = netErrorCode(caught.cause);
          stopped = words.unreachable[caught.notRun];
        } else if (caught instanceof ServerGone) {
          const previous = results.at(-1)?.name;
          stopped = say(previous ? words.battery.serverGoneSince : words.battery.serverGone, {
            reason: caught.message,
            check: previous ?? "",
          });
        } else {
          // Anything else went wrong on this side; the report still comes, with this check failed.
          results.push({
            ...base,
            received: evidence.received,
            status: "failed",
            detail: say(words.battery.checkFailed, { error: describeError(caught) }),
          });
          statusOf.set(check.name, "failed");
          continue;
        }
        result = notRun(stopped);
      }
    }
    statusOf.set(check.name, result.status);
    results.push(result);
  }
  if (error === undefined) return { checks: results };
  return errorCode === undefined
    ? { checks: results, error }
    : { checks: results, error, errorCode };
}
