import { DEFAULT_MAX_FRAME_BYTES, type FramingName } from "../framing/mod.ts";
import type { ClientTlsChoice } from "../tls/mod.ts";
import type { ExpectName } from "./expectation.ts";
import { judgeTcpServer, judgeUdpServer } from "./judge.ts";
import type { Lang } from "./lang/mod.ts";
import { reportObject, type ServerReport } from "./server_report.ts";

/** The server to judge. */
export interface CheckTarget {
  /** Host name or IP literal; `NAME.local` is asked by multicast DNS. */
  readonly host: string;
  /** The server's port. */
  readonly port: number;
}

/** How to judge a UDP server; each field defaults as `udp.ts check` does. */
export interface CheckServerOptions {
  /** How long to wait for each reply, in milliseconds (default 2000, as `-t 2`). */
  readonly timeoutMs?: number;
  /** What each reply must be: `echo`, `upper` or `any` (default). */
  readonly expect?: ExpectName;
  /** The language of every text in the report (default `en`); names and statuses never change. */
  readonly lang?: Lang;
}

/** How to judge a TCP server; each field defaults as `client.ts --check` does. */
export interface CheckTcpServerOptions extends CheckServerOptions {
  /** How messages are delimited (default `line`). */
  readonly framing?: FramingName;
  /** The largest frame accepted from the server (default 64 KiB). */
  readonly maxFrameBytes?: number;
  /** TLS, trusted as `client.ts --tls` would; plain TCP when absent. */
  readonly tls?: ClientTlsChoice;
}

const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * Judges a TCP server by its behaviour alone, with the battery `client.ts
 * --check` runs (one message, a split one, several clients at once, a reset,
 * crosstalk, ...), and returns the report as data: exactly what `--check
 * --json` prints. A server that cannot be reached is a report too, with
 * `error` set and every check not run; it never throws for the server's sake.
 *
 * ```ts
 * import { checkTcpServer, serve } from "../../mod.ts";
 * const server = await serve({ host: "127.0.0.1", port: 0 }, (m) => m.text.toUpperCase());
 * const report = await checkTcpServer({ host: "127.0.0.1", port: server.address.port }, {
 *   expect: "upper",
 * });
 * await server.close();
 * if (report.failed !== 0) throw new Error(`expected a pass, got ${JSON.stringify(report)}`);
 * console.log(`${report.target}: ${report.passed} passed, ${report.notRun} not run`);
 * ```
 * @throws {UsageError} only for the caller's own mistakes, such as a TLS `caFile` that cannot be read.
 */
export async function checkTcpServer(
  target: CheckTarget,
  options: CheckTcpServerOptions = {},
): Promise<ServerReport> {
  const judged = await judgeTcpServer({
    host: target.host,
    port: target.port,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    expect: options.expect ?? "any",
    lang: options.lang ?? "en",
    framing: options.framing ?? "line",
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    ...(options.tls ? { tls: options.tls } : {}),
  });
  return reportObject(judged.about, judged.result);
}

/**
 * Judges a UDP server with the battery `udp.ts check` runs (a reply to the
 * sender's own port, a datagram boundary kept, several peers, ...), and
 * returns the report as data: exactly what `udp.ts check --json` prints.
 *
 * ```ts
 * import { checkUdpServer, serveUdp } from "../../mod.ts";
 * const server = await serveUdp({ host: "127.0.0.1" }, (message) => message.bytes);
 * const report = await checkUdpServer({ host: "127.0.0.1", port: server.localAddress.port }, {
 *   expect: "echo",
 * });
 * await server.close();
 * if (report.failed !== 0) throw new Error(`expected a pass, got ${JSON.stringify(report)}`);
 * ```
 */
export async function checkUdpServer(
  target: CheckTarget,
  options: CheckServerOptions = {},
): Promise<ServerReport> {
  const judged = await judgeUdpServer({
    host: target.host,
    port: target.port,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    expect: options.expect ?? "any",
    lang: options.lang ?? "en",
  });
  return reportObject(judged.about, judged.result);
}
