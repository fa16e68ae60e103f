import type { TlsSession } from "../tcp/mod.ts";
import type { ClientTlsChoice } from "../tls/mod.ts";
import type { BatteryResult, CheckStatus } from "./battery.ts";

/** What was checked, for the head of a report. */
export interface ReportTarget {
  /** The server, as `HOST:PORT`. */
  readonly target: string;
  readonly protocol: "tcp" | "udp";
  /** TCP only: the framing spoken. */
  readonly framing?: string;
  readonly expect: string;
  /** TCP with --tls: how the certificate is trusted and, once a handshake finished, what it negotiated. */
  readonly tls?: { readonly choice: ClientTlsChoice; readonly session?: TlsSession };
}

// How the certificate is trusted, as a grader's script reads it.
function trustName(choice: ClientTlsChoice): "fingerprint" | "ca" | "insecure" | "none" {
  if (choice.fingerprint !== undefined) return "fingerprint";
  if (choice.caFile !== undefined) return "ca";
  return choice.insecure ? "insecure" : "none";
}

/** How many checks ended each way. */
export function tally(result: BatteryResult): Record<CheckStatus, number> {
  const counts = { passed: 0, failed: 0, "not run": 0 };
  for (const check of result.checks) counts[check.status]++;
  return counts;
}

/** Tells whether every check passed: the exit status 0. */
export function allPassed(result: BatteryResult): boolean {
  return result.error === undefined && result.checks.every((check) => check.status === "passed");
}

/** One check as `--json` prints it. */
export interface CheckEntry {
  /** The check's name, an identifier in every language (`reply`, `split`, ...). */
  readonly name: string;
  /** Whether it passed: `status === "passed"`. */
  readonly passed: boolean;
  /** How it ended. */
  readonly status: CheckStatus;
  /** Whether it could not run (an earlier failure, or the time limit): `status === "not run"`. */
  readonly notRun: boolean;
  /** What the check asks of a server, in the report's language. */
  readonly about: string;
  /** What happened, in one line. */
  readonly detail: string;
  /** What was sent, each write or datagram shown escaped. */
  readonly sent: readonly string[];
  /** What came back, shown escaped. */
  readonly received: readonly string[];
  /** What should have come back, when the check knows. */
  readonly expected?: string;
  /** On failure: the likely bug and its fix. */
  readonly hint?: string;
  /** On a pass: something worth fixing that the lab does not fail. */
  readonly note?: string;
}

/** One server judged, exactly as `client.ts --check --json` prints it. */
export interface ServerReport {
  /** The server, as `HOST:PORT`. */
  readonly target: string;
  /** `tcp` or `udp`. */
  readonly protocol: "tcp" | "udp";
  /** TCP only: the framing spoken. */
  readonly framing?: string;
  /** What each reply had to be: `echo`, `upper` or `any`. */
  readonly expect: string;
  /** With TLS: how the certificate was trusted and what the handshake negotiated. */
  readonly tls?:
    & { readonly trust: "fingerprint" | "ca" | "insecure" | "none" }
    & Partial<TlsSession>;
  /** Every check, in battery order. */
  readonly checks: readonly CheckEntry[];
  /** How many checks passed. */
  readonly passed: number;
  /** How many failed. */
  readonly failed: number;
  /** How many could not run. */
  readonly notRun: number;
  /** Why the battery could not run, when it could not reach the server. */
  readonly error?: string;
}

/** The report as the object `--json` prints; a class report holds one per student. */
export function reportObject(about: ReportTarget, result: BatteryResult): ServerReport {
  const counts = tally(result);
  const { tls, ...target } = about;
  return {
    ...target,
    ...(tls
      ? {
        tls: {
          trust: trustName(tls.choice),
          ...(tls.session ?? {}),
        },
      }
      : {}),
    checks: result.checks.map((check) => ({
      name: check.name,
      passed: check.status === "passed",
      status: check.status,
      notRun: check.status === "not run",
      about: check.about,
      detail: check.detail,
      sent: check.sent,
      received: check.received,
      ...(check.expected ? { expected: check.expected } : {}),
      ...(check.hint && check.status === "failed" ? { hint: check.hint } : {}),
      ...(check.note && check.status === "passed" ? { note: check.note } : {}),
    })),
    passed: counts.passed,
    failed: counts.failed,
    notRun: counts["not run"],
    ...(result.error ? { error: result.error } : {}),
  };
}
