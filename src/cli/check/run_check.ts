import { formatAddress, resolveHost } from "../../address.ts";
import { createFraming, type FramingName } from "../../framing/mod.ts";
import type { SocketAddress } from "../../net/types.ts";
import { describeError } from "../describe_error.ts";
import { printLine } from "../output.ts";
import { EXIT } from "../run_main.ts";
import { type ClientTlsChoice, clientTlsOptions } from "../tls/mod.ts";
import { type BatteryResult, Budget, type Check, runBattery } from "./battery.ts";
import { Expectation, type ExpectName } from "./expectation.ts";
import { tcpHints } from "./hints.ts";
import { allPassed, reportJson, reportLines, type ReportTarget } from "./report.ts";
import { TCP_CHECKS } from "./tcp_checks.ts";
import type { TcpCheckContext } from "./tcp_probe.ts";
import { UDP_CHECKS, type UdpCheckContext } from "./udp_checks.ts";

/**
 * The whole battery's time limit: a dead or hung server is judged well within
 * half a minute whatever it does, however many checks wait on it.
 */
export const BATTERY_BUDGET_MS = 25_000;

/** What a check run needs, from either script's options. */
export interface CheckOptions {
  host: string;
  port: number;
  /** How long to wait for each reply. */
  timeoutMs: number;
  expect: ExpectName;
  /** One JSON object on stdout instead of the report card. */
  json: boolean;
}

/** `client.ts --check`'s options: those of every check, the framing, and TLS. */
export interface TcpCheckOptions extends CheckOptions {
  framing: FramingName;
  maxFrameBytes: number;
  /** --tls, with how the server is trusted, as `client.ts --tls` takes it; undefined for plain TCP. */
  tls?: ClientTlsChoice;
}

function notReached(checks: readonly Check<unknown>[], error: unknown): BatteryResult {
  const detail = "the server cannot be reached";
  return {
    error: describeError(error),
    checks: checks.map((check) => ({
      name: check.name,
      about: check.about,
      status: "not run",
      detail,
      sent: [],
      received: [],
    })),
  };
}

function print(about: ReportTarget, result: BatteryResult, json: boolean): number {
  if (json) printLine(reportJson(about, result));
  else printLine(reportLines(about, result).join("\n"));
  return allPassed(result) ? EXIT.ok : EXIT.failure;
}

async function resolved(host: string, port: number): Promise<SocketAddress | Error> {
  try {
    return { hostname: await resolveHost(host), port };
  } catch (error) {
    return error as Error;
  }
}

// The address checked, or the host as typed when it could not be resolved.
function targetText(options: CheckOptions, address: SocketAddress | Error): string {
  return formatAddress(
    address instanceof Error ? { hostname: options.host, port: options.port } : address,
  );
}

/**
 * Runs the TCP battery against `options.host` and prints the report.
 * @returns 0 when every check passed, 1 otherwise.
 */
export async function runTcpCheck(options: TcpCheckOptions): Promise<number> {
  // Read first, so a --ca file that is not there is a usage error, not a failed check.
  const trust = options.tls && { ...clientTlsOptions(options.tls), serverName: options.host };
  const address = await resolved(options.host, options.port);
  const about: ReportTarget = {
    target: targetText(options, address),
    protocol: "tcp",
    framing: options.framing,
    expect: options.expect,
    ...(options.tls ? { tls: { choice: options.tls } } : {}),
  };
  if (address instanceof Error) {
    return print(about, notReached(TCP_CHECKS as Check<unknown>[], address), options.json);
  }
  const budget = new Budget(BATTERY_BUDGET_MS);
  const context: TcpCheckContext = {
    address,
    framing: createFraming(options.framing, options.maxFrameBytes),
    expectation: new Expectation(options.expect),
    timeoutMs: options.timeoutMs,
    budget,
    hints: tcpHints(options.framing),
    ...(trust ? { tls: { trust } } : {}),
    reference: {},
  };
  const result = await runBattery(TCP_CHECKS, context, budget);
  const session = context.tls?.session;
  return print(
    session ? { ...about, tls: { choice: options.tls!, session } } : about,
    result,
    options.json,
  );
}

/**
 * Runs the UDP battery against `options.host` and prints the report.
 * @returns 0 when every check passed, 1 otherwise.
 */
export async function runUdpCheck(options: CheckOptions): Promise<number> {
  const address = await resolved(options.host, options.port);
  const about: ReportTarget = {
    target: targetText(options, address),
    protocol: "udp",
    expect: options.expect,
  };
  if (address instanceof Error) {
    return print(about, notReached(UDP_CHECKS as Check<unknown>[], address), options.json);
  }
  const budget = new Budget(BATTERY_BUDGET_MS);
  const context: UdpCheckContext = {
    address,
    expectation: new Expectation(options.expect),
    timeoutMs: options.timeoutMs,
    budget,
    probes: [],
  };
  try {
    return print(about, await runBattery(UDP_CHECKS, context, budget), options.json);
  } finally {
    await Promise.all(context.probes.map((probe) => probe.close()));
  }
}
