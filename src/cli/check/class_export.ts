import { type ClassVerdict, reportObject, type TargetVerdict } from "../../check/mod.ts";
import { CELL, checkColumns } from "./class_table.ts";

function targetObject(target: TargetVerdict) {
  const { about, result } = target.judged;
  return {
    name: target.entry.name,
    target: about.target,
    reachable: target.reachable,
    reason: target.reason ?? null,
    passed: target.passed,
    failed: target.failed,
    notRun: target.notRun,
    // Exactly what `--check --json` gives for this server alone.
    checks: reportObject(about, result).checks,
    ...(result.error ? { error: result.error } : {}),
  };
}

/** The class as the object `--class --json` prints and a `.json` report holds. */
export function classObject(verdict: ClassVerdict) {
  const first = verdict.targets[0]?.judged.about;
  return {
    protocol: first?.protocol,
    ...(first?.framing ? { framing: first.framing } : {}),
    expect: first?.expect,
    startedAt: new Date(verdict.startedAt).toISOString(),
    endedAt: new Date(verdict.endedAt).toISOString(),
    students: verdict.targets.length,
    passedEverything:
      verdict.targets.filter((t) => t.reachable && t.failed + t.notRun === 0).length,
    unreachable: verdict.targets.filter((t) => !t.reachable).length,
    targets: verdict.targets.map(targetObject),
  };
}

// RFC 4180: every field quoted, quotes doubled. A leading = + - @ is kept
// from being read as a spreadsheet formula.
function csvField(value: string | number | boolean): string {
  const text = String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll("\"", "\"\"")}"`;
}

/**
 * The class as CSV for a grade sheet: one row per student, a column per check.
 * Headers and values stay English identifiers whatever `--lang` says, like
 * `--json`'s: a grade sheet imports by column name and value, and a teacher's
 * import must not break when a student's machine speaks another language.
 */
export function classCsv(verdict: ClassVerdict): string {
  const columns = checkColumns(verdict);
  const head = ["name", "target", "reachable", "reason", "passed", "failed", "not run", ...columns];
  const rows = verdict.targets.map((target) => [
    target.entry.name,
    target.judged.about.target,
    target.reachable ? "yes" : "no",
    target.reason ?? "",
    target.passed,
    target.failed,
    target.notRun,
    ...target.judged.result.checks.map((check) =>
      target.reachable ? CELL[check.status].toLowerCase() : "unreachable"
    ),
  ]);
  return [head, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}
