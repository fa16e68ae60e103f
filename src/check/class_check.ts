import type { CheckResult } from "./battery.ts";
import type { Judged } from "./judge.ts";
import { tally } from "./server_report.ts";

/** One student of a class file: who, and where their server listens. */
export interface ClassEntry {
  /** As written, spaces kept: the row's label in the table. */
  readonly name: string;
  /** The server's host, a name or an IP literal without brackets. */
  readonly host: string;
  /** The server's port. */
  readonly port: number;
  /** The line of the class file it came from, for messages. */
  readonly line: number;
}

/** Why a server could not be checked at all, in a word a table shows. */
export type UnreachableReason = "refused" | "no host" | "timeout" | "no route" | "tls" | "error";

/** One student's server, judged. */
export interface TargetVerdict {
  /** The student, as the class file gave them. */
  readonly entry: ClassEntry;
  /** What the battery found, as a single check reports it. */
  readonly judged: Judged;
  /** False when no check could reach the server. */
  readonly reachable: boolean;
  /** Set when not reachable. */
  readonly reason?: UnreachableReason;
  /** How many checks passed. */
  readonly passed: number;
  /** How many checks failed. */
  readonly failed: number;
  /** How many checks did not run. */
  readonly notRun: number;
}

/** A class judged: every student in the class file's order, and when. */
export interface ClassVerdict {
  /** One per student, in the class file's order. */
  readonly targets: readonly TargetVerdict[];
  /** When the round started and ended, ms since the epoch. */
  readonly startedAt: number;
  /** When the round ended, ms since the epoch. */
  readonly endedAt: number;
}

const REASON_OF_CODE: Record<string, UnreachableReason> = {
  CONNECTION_REFUSED: "refused",
  HOST_NOT_FOUND: "no host",
  TIMED_OUT: "timeout",
  HOST_UNREACHABLE: "no route",
  NETWORK_UNREACHABLE: "no route",
  TLS_HANDSHAKE_FAILED: "tls",
  CERTIFICATE_UNTRUSTED: "tls",
};

// UDP has no connection to refuse: a port nobody listens on may send back
// nothing (Deno reports no ICMP), so a first check that heard nothing at all
// means no server answered there.
function silent(first: CheckResult | undefined): boolean {
  return first?.status === "failed" && first.received.length === 0;
}

/** Reads one judged server as a row of the class: reachable or why not, and its counts. */
export function verdictOf(entry: ClassEntry, judged: Judged): TargetVerdict {
  const { result } = judged;
  const counts = tally(result);
  const base = {
    entry,
    judged,
    passed: counts.passed,
    failed: counts.failed,
    notRun: counts["not run"],
  };
  if (result.error !== undefined) {
    const reason = REASON_OF_CODE[result.errorCode ?? ""] ?? "error";
    return { ...base, reachable: false, reason };
  }
  if (judged.about.protocol === "udp" && counts.passed === 0 && silent(result.checks[0])) {
    return { ...base, reachable: false, reason: "timeout" };
  }
  return { ...base, reachable: true };
}

/** Tells whether every student passed every check: the exit status 0. */
export function classPassed(verdict: ClassVerdict): boolean {
  return verdict.targets.every((target) =>
    target.reachable && target.failed === 0 && target.notRun === 0
  );
}

/** How a class round runs. */
export interface ClassRunOptions {
  /** At most this many servers are judged at once. */
  readonly parallel: number;
  /** Called as each server's verdict arrives, for a progress line. */
  readonly onJudged?: (done: number, total: number, verdict: TargetVerdict) => void;
}

/**
 * Judges every entry with `judge`, at most `options.parallel` at once, each
 * with its own battery and time budget, so a hung server delays only its slot.
 * @returns the verdicts in the class file's order.
 */
export async function checkClass(
  entries: readonly ClassEntry[],
  judge: (entry: ClassEntry) => Promise<Judged>,
  options: ClassRunOptions,
): Promise<ClassVerdict> {
  const startedAt = Date.now();
  const verdicts: TargetVerdict[] = new Array(entries.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < entries.length) {
      const index = next++;
      const entry = entries[index]!;
      verdicts[index] = verdictOf(entry, await judge(entry));
      options.onJudged?.(++done, entries.length, verdicts[index]!);
    }
  };
  const workers = Math.max(1, Math.min(options.parallel, entries.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return { targets: verdicts, startedAt, endedAt: Date.now() };
}
