import {
  allPassed,
  catalogueOf,
  type Judged,
  type JudgeOptions,
  judgeTcpServer,
  judgeUdpServer,
  type TcpJudgeOptions,
} from "../../check/mod.ts";
import { EXIT, printLine } from "../mod.ts";
import { reportJson, reportLines } from "./report.ts";

export { BATTERY_BUDGET_MS } from "../../check/mod.ts";

/** What a check run needs, from either script's options. */
export interface CheckOptions extends JudgeOptions {
  /** One JSON object on stdout instead of the report card. */
  json: boolean;
}

/** `client.ts --check`'s options: those of every check, the framing, and TLS. */
export interface TcpCheckOptions extends CheckOptions, TcpJudgeOptions {}

function print({ about, result }: Judged, options: CheckOptions): number {
  if (options.json) printLine(reportJson(about, result));
  else printLine(reportLines(about, result, catalogueOf(options.lang)).join("\n"));
  return allPassed(result) ? EXIT.ok : EXIT.failure;
}

/**
 * Runs the TCP battery against `options.host` and prints the report.
 * @returns 0 when every check passed, 1 otherwise.
 */
export async function runTcpCheck(options: TcpCheckOptions): Promise<number> {
  return print(await judgeTcpServer(options), options);
}

/**
 * Runs the UDP battery against `options.host` and prints the report.
 * @returns 0 when every check passed, 1 otherwise.
 */
export async function runUdpCheck(options: CheckOptions): Promise<number> {
  return print(await judgeUdpServer(options), options);
}
