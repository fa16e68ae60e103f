import type { TlsSession } from "../../tcp_client.ts";
import { type ClientTlsChoice, describeTlsSession } from "../tls/mod.ts";
import type { BatteryResult, CheckResult, CheckStatus } from "./battery.ts";

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

// A report card stays readable: a check with ten clients shows the first few writes and reads.
const MAX_SHOWN = 3;
const LABEL: Record<CheckStatus, string> = { passed: "PASS", failed: "FAIL", "not run": "SKIP" };

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

function shown(items: readonly string[]): string[] {
  if (items.length <= MAX_SHOWN) return [...items];
  return [...items.slice(0, MAX_SHOWN), `... and ${items.length - MAX_SHOWN} more`];
}

function checkLines(check: CheckResult, width: number): string[] {
  const indent = " ".repeat(6);
  const lines = [`${LABEL[check.status].padEnd(5)} ${check.name.padEnd(width)}  ${check.about}`];
  const result = check.status === "not run" ? `not run: ${check.detail}` : check.detail;
  lines.push(`${indent}result:   ${result}`);
  if (check.status === "not run") return lines;
  if (check.note) lines.push(`${indent}note:     ${check.note}`);
  shown(check.sent).forEach((item) => lines.push(`${indent}sent:     ${item}`));
  shown(check.received).forEach((item) => lines.push(`${indent}received: ${item}`));
  if (check.status === "failed") {
    if (check.expected) lines.push(`${indent}expected: ${check.expected}`);
    if (check.hint) lines.push(`${indent}why:      ${check.hint}`);
  }
  return lines;
}

/** The report card as text lines: a head, one block per check, a summary line. */
export function reportLines(about: ReportTarget, result: BatteryResult): string[] {
  const framing = about.framing ? `${about.framing} framing, ` : "";
  const overTls = about.tls ? " over TLS" : "";
  const lines = [
    `socklab check of ${about.protocol}://${about.target}${overTls} (${framing}--expect ${about.expect})`,
  ];
  // The line client.ts --tls prints, so the fingerprint can be compared with the server's banner.
  if (about.tls?.session) lines.push(describeTlsSession(about.tls.session, about.tls.choice));
  lines.push("");
  if (result.error) lines.push(`cannot check: ${result.error}`, "");
  const width = Math.max(...result.checks.map((check) => check.name.length));
  for (const check of result.checks) lines.push(...checkLines(check, width), "");
  const counts = tally(result);
  const verdict = allPassed(result)
    ? "every check passed"
    : result.error
    ? "the server could not be checked"
    : "see \"why\" under each FAIL";
  lines.push(
    `${counts.passed} passed, ${counts.failed} failed, ${counts["not run"]} not run: ${verdict}`,
  );
  return lines;
}

/** The report as one JSON object, for graders' scripts. */
export function reportJson(about: ReportTarget, result: BatteryResult): string {
  return JSON.stringify(reportObject(about, result));
}

/** The report as the object `--json` prints; a class report holds one per student. */
export function reportObject(about: ReportTarget, result: BatteryResult) {
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
