/**
 * Judges anyone's server by its behaviour alone: `client.ts --check` runs the
 * TCP battery, `udp.ts check` the UDP one, and both print a report card (or
 * one JSON object for graders); `--class FILE` judges a whole class at once.
 * @module
 */
export type { BatteryResult, CheckResult, CheckStatus } from "./battery.ts";
export {
  checkClass,
  type ClassRunOptions,
  type ClassVerdict,
  type TargetVerdict,
  type UnreachableReason,
} from "./class_check.ts";
export { type ClassEntry, parseClassFile } from "./class_file.ts";
export { type ClassFlags, classFlags, type ReportFormat } from "./class_flags.ts";
export { EXPECT_NAMES, type ExpectName } from "./expectation.ts";
export {
  checkTcpServer,
  checkUdpServer,
  type Judged,
  type JudgeOptions,
  type TcpJudgeOptions,
} from "./judge.ts";
export type { ReportTarget } from "./report.ts";
export { type CheckOptions, runTcpCheck, runUdpCheck, type TcpCheckOptions } from "./run_check.ts";
export { type ClassRunFlags, runClassCheck } from "./run_class.ts";
