import { formatAddress } from "../../address/mod.ts";
import { delay } from "../../async/mod.ts";
import { countOf, lenientText, secondsText } from "../../bytes/mod.ts";
import { summariseRtts } from "../../measure/mod.ts";
import { NetError } from "../../net/mod.ts";
import { type Connection, FIN_GRACE_MS } from "../../tcp/mod.ts";
import {
  formatLossLine,
  formatRttSummary,
  printError,
  printLine,
  printStatus,
  programName,
} from "../mod.ts";

const PROBE = /^ping (\d+)$/i;

/** How `client.ts --count` probes. */
export interface PingOptions {
  count: number;
  intervalMs: number;
  timeoutMs: number;
  /** Resolves when the user asks to stop early (Ctrl-C); the summary is still printed. */
  stopped: Promise<void>;
}

type Ending = "closed" | "reset";
type Outcome =
  | { kind: "reply"; bytes: number }
  | { kind: "timeout" }
  | { kind: "closed" }
  | { kind: "reset" };
const STOPPED = { kind: "stopped" } as const;

/**
 * Times `count` round trips over one connection and prints each, then ping's
 * summary, all on stdout. TCP does not lose bytes silently: a server that
 * closes the connection mid-run is reported as that, not as loss.
 * @returns The exit code: 0 when at least one reply came back and the
 *   connection lasted, 1 otherwise.
 */
export async function ping(connection: Connection, options: PingOptions): Promise<number> {
  const target = formatAddress(connection.remoteAddress);
  const stop = options.stopped.then(() => STOPPED);
  printStatus(
    `PING ${target} over tcp (${connection.framing.name} framing): ${
      countOf(options.count, "probe")
    }, ${options.intervalMs} ms apart`,
  );
  const rtts: number[] = [];
  let sent = 0;
  let ended: Ending | undefined;
  for (let seq = 1; seq <= options.count; seq++) {
    const started = performance.now();
    connection.send(`ping ${seq}`);
    sent++;
    const waiting = awaitReply(connection, seq, options.timeoutMs);
    // Settled or not, the wait must never surface as an unhandled rejection after a stop.
    waiting.catch(() => {});
    const outcome = await Promise.race([waiting, stop]);
    if (outcome.kind === "stopped") break;
    if (outcome.kind === "closed" || outcome.kind === "reset") {
      ended = outcome.kind;
      break;
    }
    if (outcome.kind === "timeout") {
      printLine(`no reply from ${target}: seq=${seq} within ${secondsText(options.timeoutMs)}`);
    } else {
      const rtt = performance.now() - started;
      rtts.push(rtt);
      printLine(`${outcome.bytes} bytes from ${target}: seq=${seq} time=${rtt.toFixed(3)} ms`);
    }
    if (seq === options.count) break;
    const rest = options.intervalMs - (performance.now() - started);
    if (rest > 0 && (await Promise.race([delay(rest), stop])) === STOPPED) break;
  }
  printLine(`--- ${target} tcp ping statistics ---`);
  const after = `after ${countOf(rtts.length, "reply", "replies")}`;
  const endedText = ended === "closed"
    ? `the server closed the connection ${after}`
    : `the connection was reset ${after}`;
  printLine(
    ended
      ? `${sent} sent, ${rtts.length} received; ${endedText}`
      : formatLossLine(sent, rtts.length),
  );
  const summary = summariseRtts(rtts);
  if (summary) printLine(formatRttSummary(summary));
  // Probes are done; what still comes is late, and waiting for the FIN spares the server a reset.
  if (!ended) await connection.finish({ maxMs: FIN_GRACE_MS }).catch(() => {});
  if (ended) {
    printError(
      `${
        programName("client.ts")
      }: ${target}: ${endedText} (does the server close after a few messages, or was it stopped?)`,
    );
    return 1;
  }
  if (rtts.length > 0) return 0;
  printError(
    `${
      programName("client.ts")
    }: no replies from ${target} (does the server answer each message? does --framing match?)`,
  );
  return 1;
}

// A reply to an earlier probe that came after its timeout is late, not this probe's answer.
async function awaitReply(
  connection: Connection,
  seq: number,
  timeoutMs: number,
): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let message;
    try {
      message = await connection.receive(Math.max(0, deadline - Date.now()));
    } catch (error) {
      if (error instanceof NetError && error.code === "TIMED_OUT") return { kind: "timeout" };
      if (error instanceof NetError && error.code === "CONNECTION_RESET") return { kind: "reset" };
      throw error;
    }
    if (message === null) return { kind: "closed" };
    const probe = PROBE.exec(lenientText(message.bytes));
    if (probe && Number(probe[1]) !== seq) continue;
    // Counted as on the wire (newline or length prefix included), as a capture's Len= and udp.ts
    // ping count it; a CR before the newline, dropped by the decoder, is not counted.
    return { kind: "reply", bytes: connection.framing.reframe(message.bytes).length };
  }
}
