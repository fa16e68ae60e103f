/**
 * The checker's command line: `client.ts --check` runs the TCP battery of
 * `src/check/`, `udp.ts check` the UDP one, and this package parses their
 * flags and renders what the battery returns: a report card, one JSON
 * object for graders, or with `--class FILE` a table, CSV and an HTML page,
 * in the language `--lang en|id` picks.
 * @module
 */
export { expectFlag, langFlag, refuseWithCheck } from "./check_flags.ts";
export { parseClassFile } from "./class_file.ts";
export { type ClassFlags, classFlags, type ReportFormat } from "./class_flags.ts";
export { type CheckOptions, runTcpCheck, runUdpCheck, type TcpCheckOptions } from "./run_check.ts";
export { type ClassRunFlags, runClassCheck } from "./run_class.ts";
