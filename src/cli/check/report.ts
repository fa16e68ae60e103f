import {
  allPassed,
  type BatteryResult,
  type Catalogue,
  type CheckResult,
  type CheckStatus,
  EN,
  reportObject,
  type ReportTarget,
  say,
  tally,
} from "../../check/mod.ts";
import { describeTlsSession } from "../tls/mod.ts";

// A report card stays readable: a check with ten clients shows the first few writes and reads.
const MAX_SHOWN = 3;

/** A status as the report's language writes it on a card. */
export function statusWord(status: CheckStatus, words: Catalogue): string {
  return status === "not run" ? words.status.notRun : words.status[status];
}

function shown(items: readonly string[], words: Catalogue): string[] {
  if (items.length <= MAX_SHOWN) return [...items];
  return [...items.slice(0, MAX_SHOWN), say(words.card.more, { count: items.length - MAX_SHOWN })];
}

/** What a "not run" check's result line says: why it did not run. */
export function resultText(check: CheckResult, words: Catalogue): string {
  return check.status === "not run"
    ? say(words.card.notRun, { detail: check.detail })
    : check.detail;
}

// The card's columns fit the longest status word and label of the language.
function checkLines(check: CheckResult, width: number, words: Catalogue): string[] {
  const statusWidth = Math.max(...Object.values(words.status).map((word) => word.length)) + 1;
  const labelWidth = Math.max(...Object.values(words.label).map((label) => label.length)) + 2;
  const indent = " ".repeat(statusWidth + 1);
  const line = (label: keyof Catalogue["label"], text: string) =>
    `${indent}${`${words.label[label]}:`.padEnd(labelWidth)}${text}`;
  const lines = [
    `${statusWord(check.status, words).padEnd(statusWidth)} ${
      check.name.padEnd(width)
    }  ${check.about}`,
  ];
  lines.push(line("result", resultText(check, words)));
  if (check.status === "not run") return lines;
  if (check.note) lines.push(line("note", check.note));
  shown(check.sent, words).forEach((item) => lines.push(line("sent", item)));
  shown(check.received, words).forEach((item) => lines.push(line("received", item)));
  if (check.status === "failed") {
    if (check.expected) lines.push(line("expected", check.expected));
    if (check.hint) lines.push(line("why", check.hint));
  }
  return lines;
}

/**
 * The report card as text lines: a head, one block per check, a summary line.
 * @param words The card's language; the checks' own texts came in it already.
 */
export function reportLines(
  about: ReportTarget,
  result: BatteryResult,
  words: Catalogue = EN,
): string[] {
  const { card } = words;
  const lines = [
    say(card.head, {
      url: `${about.protocol}://${about.target}`,
      overTls: about.tls ? card.overTls : "",
      framing: about.framing ? say(card.framing, { framing: about.framing }) : "",
      expect: about.expect,
    }),
  ];
  // The line client.ts --tls prints, so the fingerprint can be compared with the server's banner.
  if (about.tls?.session) lines.push(describeTlsSession(about.tls.session, about.tls.choice));
  lines.push("");
  if (result.error) lines.push(say(card.cannotCheck, { error: result.error }), "");
  const width = Math.max(...result.checks.map((check) => check.name.length));
  for (const check of result.checks) lines.push(...checkLines(check, width, words), "");
  const counts = tally(result);
  const verdict = allPassed(result)
    ? card.allPassed
    : result.error
    ? card.notChecked
    : card.seeWhy;
  lines.push(
    say(card.summary, {
      passed: counts.passed,
      failed: counts.failed,
      notRun: counts["not run"],
      verdict,
    }),
  );
  return lines;
}

/** The report as one JSON object, for graders' scripts. */
export function reportJson(about: ReportTarget, result: BatteryResult): string {
  return JSON.stringify(reportObject(about, result));
}
