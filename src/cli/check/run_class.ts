import { readFile, rename, writeFile } from "node:fs/promises";
import process from "node:process";
import { escapeControl } from "../../bytes/mod.ts";
import {
  catalogueOf,
  checkClass,
  type ClassEntry,
  classPassed,
  type ClassVerdict,
  type Judged,
  type Lang,
  say,
} from "../../check/mod.ts";
import { describeError, UsageError } from "../../errors/mod.ts";
import { EXIT, onStopSignal, printLine, printStatus } from "../mod.ts";
import { ProgressLine } from "../throughput/mod.ts";
import { classCsv, classObject } from "./class_export.ts";
import { parseClassFile } from "./class_file.ts";
import type { ClassFlags } from "./class_flags.ts";
import { classHtml } from "./class_html.ts";
import { classTableLines } from "./class_table.ts";

/** What a class run needs besides how to judge one server. */
export interface ClassRunFlags extends ClassFlags {
  /** The port of an entry that gives none. */
  readonly defaultPort: number;
  /** Each round as one JSON object on stdout instead of the table. */
  readonly json: boolean;
  /** The language of the table, the progress line and the HTML report. */
  readonly lang: Lang;
}

async function readClass(flags: ClassRunFlags): Promise<ClassEntry[]> {
  let text: string;
  try {
    text = await readFile(flags.file, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read the class file '${escapeControl(flags.file)}': ${describeError(error)}`,
    );
  }
  return parseClassFile(text, flags.defaultPort, flags.file);
}

function reportText(verdict: ClassVerdict, flags: ClassRunFlags): string {
  switch (flags.report!.format) {
    case "json":
      return JSON.stringify(classObject(verdict)) + "\n";
    case "csv":
      return classCsv(verdict);
    case "html":
      return classHtml(
        verdict,
        flags.watchMs === undefined ? undefined : flags.watchMs / 1000,
        catalogueOf(flags.lang),
      );
  }
}

// Written beside and renamed, so a browser reloading it never reads half a page.
async function writeReport(verdict: ClassVerdict, flags: ClassRunFlags): Promise<void> {
  const { path } = flags.report!;
  const partial = `${path}.partial`;
  try {
    await writeFile(partial, reportText(verdict, flags));
    await rename(partial, path);
  } catch (error) {
    // Deno's permission set lets the scripts read but not write: the teacher grants the folder.
    const why = (error as Error).name === "NotCapable"
      ? "Deno was not given write access: add --allow-write=. after deno run -qP"
      : describeError(error);
    throw new Error(`cannot write the report '${escapeControl(path)}': ${why}`);
  }
}

function show(verdict: ClassVerdict, flags: ClassRunFlags, redraw: boolean): void {
  if (flags.json) {
    printLine(JSON.stringify(classObject(verdict)));
    return;
  }
  // On a terminal each round replaces the last one, so the projector shows one table.
  if (redraw) process.stdout.write("\x1b[H\x1b[2J");
  printLine(classTableLines(verdict, catalogueOf(flags.lang)).join("\n"));
}

function pause(ms: number, stopped: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  return Promise.race([waited, stopped]).finally(() => clearTimeout(timer));
}

/**
 * Judges every server of the class file with `judge`, prints the table (or
 * JSON) and writes the report; with --watch, again and again until Ctrl-C.
 * @returns 0 when every student passed every check in the last round, 1 otherwise.
 */
export async function runClassCheck(
  flags: ClassRunFlags,
  judge: (entry: ClassEntry) => Promise<Judged>,
): Promise<number> {
  const entries = await readClass(flags);
  const watching = flags.watchMs !== undefined;
  let stop = false;
  const stopped = new Promise<void>((resolve) => {
    if (watching) {
      onStopSignal(() => {
        stop = true;
        resolve();
      });
    }
  });
  const progress = new ProgressLine(ProgressLine.wanted(flags.json));
  const redraw = watching && !flags.json && process.stdout.isTTY === true;
  let last: ClassVerdict | undefined;
  for (let round = 1; !stop; round++) {
    const { table } = catalogueOf(flags.lang);
    progress.show(say(table.checking, { count: entries.length, parallel: flags.parallel }));
    const running = checkClass(entries, judge, {
      parallel: flags.parallel,
      onJudged: (done, total, verdict) =>
        progress.show(say(table.checked, { done, total, name: escapeControl(verdict.entry.name) })),
    });
    // Ctrl-C in the middle of a round ends with the last whole table, not half a class.
    const verdict = await Promise.race([running, stopped.then(() => undefined)]);
    progress.clear();
    if (verdict === undefined) break;
    last = verdict;
    if (flags.report) await writeReport(verdict, flags);
    show(verdict, flags, redraw && round > 1);
    if (!watching) break;
    await pause(flags.watchMs!, stopped);
  }
  if (last === undefined) {
    printStatus(catalogueOf(flags.lang).table.stoppedEarly);
    return EXIT.failure;
  }
  return classPassed(last) ? EXIT.ok : EXIT.failure;
}
