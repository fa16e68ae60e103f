/**
 * Judges anyone's server by its behaviour alone: the TCP and UDP batteries,
 * each check with its evidence and a hint that names the likely bug, in
 * English or Bahasa Indonesia, returned as data (`checkTcpServer`,
 * `checkUdpServer`, `checkClass`). `client.ts --check` and `udp.ts check`
 * render the same data as cards, tables, CSV and HTML.
 * @module
 */
export type { BatteryResult, CheckResult, CheckStatus } from "./battery.ts";
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
  classPassed,
  type ClassRunOptions,
  type ClassVerdict,
  type TargetVerdict,
  type UnreachableReason,
} from "./class_check.ts";
export { EXPECT_NAMES, type ExpectName } from "./expectation.ts";
export {
  BATTERY_BUDGET_MS,
  type Judged,
  type JudgeOptions,
  judgeTcpServer,
  judgeUdpServer,
  type TcpJudgeOptions,
} from "./judge.ts";
export { type Catalogue, catalogueOf, EN, type Lang, LANGS, say, systemLang } from "./lang/mod.ts";
export {
  allPassed,
  type CheckEntry,
  reportObject,
  type ReportTarget,
  type ServerReport,
  tally,
} from "./server_report.ts";
