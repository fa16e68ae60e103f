import { escapeControl } from "../../terminal_text.ts";
import type { CheckStatus } from "./battery.ts";
import { classPassed, type ClassVerdict, type TargetVerdict } from "./class_check.ts";

/** A cell's word, the same in the table, the CSV and the HTML page: readable without colour. */
export const CELL: Record<CheckStatus, string> = {
  passed: "pass",
  failed: "FAIL",
  "not run": "skip",
};

/** The check names, in battery order, as the class's columns. */
export function checkColumns(verdict: ClassVerdict): string[] {
  return verdict.targets[0]?.judged.result.checks.map((check) => check.name) ?? [];
}

/** A student's total: `7/9 passed`, or why their server could not be checked. */
export function totalText(target: TargetVerdict): string {
  if (!target.reachable) return `unreachable (${target.reason})`;
  return `${target.passed}/${target.passed + target.failed + target.notRun} passed`;
}

/** The class in one line: how many passed everything, failed something, could not be reached. */
export function classLine(verdict: ClassVerdict): string {
  const all = verdict.targets.length;
  const perfect =
    verdict.targets.filter((t) => t.reachable && t.failed === 0 && t.notRun === 0).length;
  const unreachable = verdict.targets.filter((t) => !t.reachable).length;
  const seconds = ((verdict.endedAt - verdict.startedAt) / 1000).toFixed(1);
  const outcome = classPassed(verdict)
    ? "every student passed every check"
    : `${perfect} of ${all} passed every check, ${all - perfect - unreachable} with failures, `
      + `${unreachable} unreachable`;
  return `class: ${outcome} (${seconds} s)`;
}

/** The class as a text table: a row per student, a column per check, the total; then the class line. */
export function classTableLines(verdict: ClassVerdict): string[] {
  const columns = checkColumns(verdict);
  const rows = verdict.targets.map((target) => [
    escapeControl(target.entry.name),
    target.judged.about.target,
    ...target.judged.result.checks.map((check) => target.reachable ? CELL[check.status] : "-"),
    totalText(target),
  ]);
  const head = ["student", "server", ...columns, "total"];
  const widths = head.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0))
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))
      .join("  ");
  return [
    line(head),
    ...rows.map(line),
    "",
    "pass / FAIL / skip (not run: an earlier check it needs failed); - the server was not reached",
    classLine(verdict),
  ];
}
