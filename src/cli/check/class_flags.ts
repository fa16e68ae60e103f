import { escapeControl } from "../../bytes/mod.ts";
import { UsageError } from "../../errors/mod.ts";
import { durationFlag, integerFlag } from "../mod.ts";

/** How `--check --class` runs: the class file, how many at once, the report, the watch. */
export interface ClassFlags {
  /** The class file's path. */
  readonly file: string;
  /** How many servers are judged at once. */
  readonly parallel: number;
  /** Where the report goes; its extension says the format. */
  readonly report?: { readonly path: string; readonly format: ReportFormat };
  /** With --watch: the class is checked again this long after each round ends. */
  readonly watchMs?: number;
}

/** The formats `--report` writes, by the file's extension. */
export type ReportFormat = "html" | "csv" | "json";

/** How many servers are judged at once by default: each runs several connections of its own. */
export const DEFAULT_CLASS_PARALLEL = 8;
const MAX_CLASS_PARALLEL = 64;
// Shorter rounds would keep the servers busy answering the checker instead of the students.
const MIN_WATCH_MS = 1000;
const MAX_WATCH_MS = 24 * 60 * 60 * 1000;

function reportFormat(path: string): ReportFormat {
  const extension = /\.(html?|csv|json)$/i.exec(path)?.[1]?.toLowerCase();
  if (extension === undefined) {
    throw new UsageError(
      `--report writes .html, .csv or .json, chosen by the file's extension, got '${
        escapeControl(path)
      }'`,
    );
  }
  return extension.startsWith("htm") ? "html" : extension as ReportFormat;
}

/**
 * Reads `--class`, `--parallel`, `--report` and `--watch` of a check.
 * @returns undefined for a check of one server.
 * @throws {UsageError} for a bad value, or the class flags without --class.
 */
export function classFlags(
  values: { class?: string; parallel?: string; report?: string; watch?: string },
): ClassFlags | undefined {
  if (values.class === undefined) {
    const stray = (["parallel", "report", "watch"] as const).find((name) =>
      values[name] !== undefined
    );
    if (stray !== undefined) {
      throw new UsageError(`--${stray} only applies with --class FILE (a check of a whole class)`);
    }
    return undefined;
  }
  return {
    file: values.class,
    parallel: values.parallel === undefined
      ? DEFAULT_CLASS_PARALLEL
      : integerFlag("parallel", values.parallel, 1, MAX_CLASS_PARALLEL),
    ...(values.report === undefined
      ? {}
      : { report: { path: values.report, format: reportFormat(values.report) } }),
    ...(values.watch === undefined
      ? {}
      : { watchMs: durationFlag("watch", values.watch, MIN_WATCH_MS, MAX_WATCH_MS) }),
  };
}
