import { escapeControl } from "../../bytes/mod.ts";
import {
  type Catalogue,
  type CheckStatus,
  classPassed,
  type ClassVerdict,
  EN,
  say,
  type TargetVerdict,
  type UnreachableReason,
} from "../../check/mod.ts";

/**
 * A cell's identifier, the same in every language: the CSV's values (grade
 * sheets import by value) and the HTML page's style classes.
 */
export const CELL: Record<CheckStatus, string> = {
  passed: "pass",
  failed: "FAIL",
  "not run": "skip",
};

/** A cell's word in the table and on the page, in the report's language: readable without colour. */
export function cellWord(status: CheckStatus, words: Catalogue): string {
  return status === "not run" ? words.cell.notRun : words.cell[status];
}

const REASON_KEY: Record<UnreachableReason, keyof Catalogue["reason"]> = {
  refused: "refused",
  "no host": "noHost",
  timeout: "timeout",
  "no route": "noRoute",
  tls: "tls",
  error: "error",
};

/** The check names, in battery order, as the class's columns. */
export function checkColumns(verdict: ClassVerdict): string[] {
  return verdict.targets[0]?.judged.result.checks.map((check) => check.name) ?? [];
}

/** A student's total: `7/9 passed`, or why their server could not be checked. */
export function totalText(target: TargetVerdict, words: Catalogue = EN): string {
  if (!target.reachable) {
    return say(words.table.unreachable, { reason: words.reason[REASON_KEY[target.reason!]] });
  }
  const total = target.passed + target.failed + target.notRun;
  return say(words.table.passedOf, { passed: target.passed, total });
}

/** The class in one line: how many passed everything, failed something, could not be reached. */
export function classLine(verdict: ClassVerdict, words: Catalogue = EN): string {
  const all = verdict.targets.length;
  const perfect =
    verdict.targets.filter((t) => t.reachable && t.failed === 0 && t.notRun === 0).length;
  const unreachable = verdict.targets.filter((t) => !t.reachable).length;
  const seconds = ((verdict.endedAt - verdict.startedAt) / 1000).toFixed(1);
  const outcome = classPassed(verdict)
    ? words.table.everyonePassed
    : say(words.table.outcome, {
      perfect,
      all,
      failing: all - perfect - unreachable,
      unreachable,
    });
  return say(words.table.classLine, { outcome, seconds });
}

/** The class as a text table: a row per student, a column per check, the total; then the class line. */
export function classTableLines(verdict: ClassVerdict, words: Catalogue = EN): string[] {
  const columns = checkColumns(verdict);
  const rows = verdict.targets.map((target) => [
    escapeControl(target.entry.name),
    target.judged.about.target,
    ...target.judged.result.checks.map((check) =>
      target.reachable ? cellWord(check.status, words) : "-"
    ),
    totalText(target, words),
  ]);
  const head = [words.table.student, words.table.server, ...columns, words.table.total];
  const widths = head.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0))
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))
      .join("  ");
  return [line(head), ...rows.map(line), "", words.table.legend, classLine(verdict, words)];
}
