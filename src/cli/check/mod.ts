/**
 * Judges anyone's server by its behaviour alone: `client.ts --check` runs the
 * TCP battery, `udp.ts check` the UDP one, and both print a report card (or
 * one JSON object for graders).
 * @module
 */
export { EXPECT_NAMES, type ExpectName } from "./expectation.ts";
export { runTcpCheck, runUdpCheck } from "./run_check.ts";
