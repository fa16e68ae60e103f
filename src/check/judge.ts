import { formatAddress } from "../address/mod.ts";
import { resolveHost } from "../discovery/mod.ts";
import { describeError } from "../errors/mod.ts";
import { createFraming, type FramingName } from "../framing/mod.ts";
import type { SocketAddress } from "../net/mod.ts";
import { type ClientTlsChoice, clientTlsOptions } from "../tls/mod.ts";
import { type BatteryResult, Budget, type Check, netErrorCode, runBattery } from "./battery.ts";
import { Expectation, type ExpectName } from "./expectation.ts";
import { tcpHints } from "./hints.ts";
import { type Catalogue, catalogueOf, type Lang } from "./lang/mod.ts";
import type { ReportTarget } from "./server_report.ts";
import { TCP_CHECKS } from "./tcp_checks.ts";
import type { TcpCheckContext } from "./tcp_probe.ts";
import { UDP_CHECKS, type UdpCheckContext } from "./udp_checks.ts";

/**
 * The whole battery's time limit: a dead or hung server is judged well within
 * half a minute whatever it does, however many checks wait on it.
 */
export const BATTERY_BUDGET_MS = 25_000;

/** What judging one server needs, whichever protocol. */
export interface JudgeOptions {
  /** The server's host name or IP literal. */
  host: string;
  /** The server's port. */
  port: number;
  /** How long to wait for each reply. */
  timeoutMs: number;
  /** What each reply must be. */
  expect: ExpectName;
  /** The language of every text the checks write (details, hints), not of names and statuses. */
  lang: Lang;
}

/** What judging a TCP server needs: the framing spoken, and TLS. */
export interface TcpJudgeOptions extends JudgeOptions {
  /** How messages are delimited. */
  framing: FramingName;
  /** The largest frame accepted from the server. */
  maxFrameBytes: number;
  /** --tls, with how the server is trusted, as `client.ts --tls` takes it; undefined for plain TCP. */
  tls?: ClientTlsChoice;
}

/** One server judged: what was checked, and every check's result. Data only; the CLI renders. */
export interface Judged {
  /** The server, protocol, framing and expectation, as the report's head shows them. */
  readonly about: ReportTarget;
  /** Every check's result, in battery order. */
  readonly result: BatteryResult;
}

function notReached(
  checks: readonly Check<unknown>[],
  error: unknown,
  words: Catalogue,
): BatteryResult {
  const detail = words.unreachable.cannotReach;
  const errorCode = netErrorCode(error);
  return {
    error: describeError(error),
    ...(errorCode ? { errorCode } : {}),
    checks: checks.map((check) => ({
      name: check.name,
      about: check.about(words),
      status: "not run",
      detail,
      sent: [],
      received: [],
    })),
  };
}

async function resolved(host: string, port: number): Promise<SocketAddress | Error> {
  try {
    return { hostname: await resolveHost(host), port };
  } catch (error) {
    return error as Error;
  }
}

// The address checked, or the host as typed when it could not be resolved.
function targetText(options: JudgeOptions, address: SocketAddress | Error): string {
  return formatAddress(
    address instanceof Error ? { hostname: options.host, port: options.port } : address,
  );
}

/**
 * Runs the TCP battery against one server.
 * @throws {UsageError} when a --ca file cannot be read: that is the user's typing, not the server.
 */
export async function judgeTcpServer(options: TcpJudgeOptions): Promise<Judged> {
  // Read first, so a --ca file that is not there is a usage error, not a failed check.
  const trust = options.tls && { ...clientTlsOptions(options.tls), serverName: options.host };
  const address = await resolved(options.host, options.port);
  const words = catalogueOf(options.lang);
  const about: ReportTarget = {
    target: targetText(options, address),
    protocol: "tcp",
    framing: options.framing,
    expect: options.expect,
    ...(options.tls ? { tls: { choice: options.tls } } : {}),
  };
  if (address instanceof Error) {
    return { about, result: notReached(TCP_CHECKS as Check<unknown>[], address, words) };
  }
  const budget = new Budget(BATTERY_BUDGET_MS);
  const context: TcpCheckContext = {
    address,
    framing: createFraming(options.framing, options.maxFrameBytes),
    expectation: new Expectation(options.expect, words),
    timeoutMs: options.timeoutMs,
    budget,
    words,
    hints: tcpHints(options.framing, words),
    ...(trust ? { tls: { trust } } : {}),
    reference: {},
  };
  const result = await runBattery(TCP_CHECKS, context, budget, words);
  const session = context.tls?.session;
  return {
    about: session ? { ...about, tls: { choice: options.tls!, session } } : about,
    result,
  };
}

/** Runs the UDP battery against one server. */
export async function judgeUdpServer(options: JudgeOptions): Promise<Judged> {
  const address = await resolved(options.host, options.port);
  const words = catalogueOf(options.lang);
  const about: ReportTarget = {
    target: targetText(options, address),
    protocol: "udp",
    expect: options.expect,
  };
  if (address instanceof Error) {
    return { about, result: notReached(UDP_CHECKS as Check<unknown>[], address, words) };
  }
  const budget = new Budget(BATTERY_BUDGET_MS);
  const context: UdpCheckContext = {
    address,
    expectation: new Expectation(options.expect, words),
    timeoutMs: options.timeoutMs,
    budget,
    words,
    probes: [],
  };
  try {
    return { about, result: await runBattery(UDP_CHECKS, context, budget, words) };
  } finally {
    await Promise.all(context.probes.map((probe) => probe.close()));
  }
}
