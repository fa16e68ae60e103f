/**
 * Judges anyone's server by its behaviour alone: `client.ts --check` runs the
 * TCP battery, `udp.ts check` the UDP one, and both print a report card (or
 * one JSON object for graders); `--class FILE` judges a whole class at once.
 * Everything they write comes from a catalogue per language (`--lang en|id`).
 * @module
 */
export type { BatteryResult, CheckResult, CheckStatus } from "./battery.ts";
export { langFlag } from "./check_flags.ts";
export {
  type CheckServerOptions,
  type CheckTarget,
  checkTcpServer,
  type CheckTcpServerOptions,
  checkUdpServer,
} from "./check_server.ts";
export {
  checkClass,
  type ClassEntry,
  type ClassRunOptions,
  type ClassVerdict,
  type TargetVerdict,
  type UnreachableReason,
} from "./class_check.ts";
export { parseClassFile } from "./class_file.ts";
export { type ClassFlags, classFlags, type ReportFormat } from "./class_flags.ts";
export { EXPECT_NAMES, type ExpectName } from "./expectation.ts";
export {
  type Judged,
  type JudgeOptions,
  judgeTcpServer,
  judgeUdpServer,
  type TcpJudgeOptions,
} from "./judge.ts";
export { type Catalogue, catalogueOf, type Lang, LANGS } from "./lang/mod.ts";
export { type CheckOptions, runTcpCheck, runUdpCheck, type TcpCheckOptions } from "./run_check.ts";
export { type ClassRunFlags, runClassCheck } from "./run_class.ts";
export type { CheckEntry, ReportTarget, ServerReport } from "./server_report.ts";
