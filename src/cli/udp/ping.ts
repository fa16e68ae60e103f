import { formatAddress } from "../../address/mod.ts";
import { settlesWithin, Waiters } from "../../async/mod.ts";
import { countOf, displayBytes } from "../../bytes/mod.ts";
import { PingTally } from "../../measure/mod.ts";
import type { Datagram } from "../../udp/mod.ts";
import {
  EXIT,
  formatLossLine,
  formatRttSummary,
  onStopSignal,
  printError,
  printLine,
  printStatus,
  programName,
} from "../mod.ts";
import { silenceExplanation } from "./explain.ts";
import { faultSummary, startFaults } from "./fault_text.ts";
import { udpNarrator } from "./narrator.ts";
import type { UdpPingOptions } from "./options.ts";
import { formatProbe, parseProbe } from "./ping_probe.ts";
import { openUdpTarget } from "./target.ts";

/**
 * Runs `udp.ts ping`: sends numbered probes to an echo server, prints each
 * reply with its round-trip time, then the summary. Ctrl-C stops early and
 * still prints the summary.
 * @returns 0 when any reply came, 1 when none did.
 */
export async function runUdpPing(options: UdpPingOptions): Promise<number> {
  const tally = new PingTally();
  const wake = new Waiters();
  let stopped = false;
  onStopSignal(() => {
    stopped = true;
    wake.release();
  });
  const faults = startFaults(options.faults, options);
  const { address, endpoint } = await openUdpTarget(
    options.host,
    options.port,
    options.verbose,
    (datagram) => {
      report(datagram, tally, options);
      wake.release();
    },
    udpNarrator(options),
    faults,
  );
  const where = formatAddress(address);
  const missingTimers: ReturnType<typeof setTimeout>[] = [];
  const reportedMissing = new Set<number>();
  const reportMissing = (seq: number) => {
    if (tally.isAnswered(seq) || reportedMissing.has(seq)) return;
    reportedMissing.add(seq);
    printLine(`no reply to seq=${seq} within ${options.timeoutMs} ms`);
  };
  try {
    printStatus(
      `UDP PING ${where}: ${countOf(options.count, "probe")}, one every ${options.intervalMs} ms`,
    );
    const start = performance.now();
    for (let seq = 1; seq <= options.count && !stopped; seq++) {
      const epochMs = Date.now();
      tally.recordSent(seq, performance.now(), epochMs);
      endpoint.send(formatProbe({ seq, sentAtEpochMs: epochMs }), address);
      missingTimers.push(setTimeout(() => reportMissing(seq), options.timeoutMs));
      if (seq === options.count) break;
      // Replies wake us early; the next probe still leaves on schedule.
      const next = start + seq * options.intervalMs;
      while (!stopped && performance.now() < next) {
        await settlesWithin(wake.wait(), next - performance.now());
      }
    }
    // Delayed and held-back probes are still to go: the wait starts once they have.
    const allSent = faults?.finish();
    let finished = allSent === undefined;
    void allSent?.then(() => (finished = true));
    while (!stopped && !finished) await Promise.race([allSent, wake.wait()]);
    const deadline = Date.now() + options.timeoutMs;
    // With --dup, the copies of the last replies may still be on their way.
    const owed = () => tally.received < tally.sent || faults?.echoesOwed === true;
    while (!stopped && owed() && Date.now() < deadline) {
      await settlesWithin(wake.wait(), deadline - Date.now());
    }
    // The last timers may not have fired yet when the final wait ends.
    if (!stopped) { for (let seq = 1; seq <= tally.sent; seq++) reportMissing(seq); }
  } finally {
    for (const timer of missingTimers) clearTimeout(timer);
    await endpoint.close();
  }
  if (faults) printStatus(faultSummary(faults));
  printSummary(where, tally);
  if (tally.received > 0) return EXIT.ok;
  const name = programName("udp.ts");
  printError(
    `${name}: no reply from ${where}; ${silenceExplanation()} (ping needs an echo server)`,
  );
  return EXIT.failure;
}

function report({ message, from }: Datagram, tally: PingTally, options: UdpPingOptions): void {
  const source = `${message.size} bytes from ${formatAddress(from)}`;
  let probe;
  try {
    probe = parseProbe(message.text);
  } catch {
    // Not UTF-8 text, so not one of our probes.
  }
  const reply = probe
    && tally.recordReply(probe.seq, probe.sentAtEpochMs, performance.now(), options.timeoutMs);
  if (!reply) {
    if (!probe) tally.unrecognised++;
    printLine(`${source}: not a ping probe: ${displayBytes(message.bytes.subarray(0, 64))}`);
    return;
  }
  const notes = [
    reply.duplicate ? " (DUP!)" : "",
    reply.reordered ? " (out of order)" : "",
    reply.late ? " (late)" : "",
  ].join("");
  printLine(`${source}: seq=${reply.seq} time=${reply.rttMs.toFixed(3)} ms${notes}`);
}

function printSummary(where: string, tally: PingTally): void {
  printLine(`--- ${where} udp ping statistics ---`);
  printLine(
    `${
      formatLossLine(tally.sent, tally.received)
    }, ${tally.duplicates} duplicates, ${tally.reordered} reordered${
      tally.unrecognised > 0 ? `, ${tally.unrecognised} unrecognised` : ""
    }`,
  );
  const summary = tally.summary();
  if (summary) printLine(formatRttSummary(summary));
}
