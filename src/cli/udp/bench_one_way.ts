import { formatAddress } from "../../address/mod.ts";
import { settlesWithin, Waiters } from "../../async/mod.ts";
import { UsageError } from "../../errors/mod.ts";
import { CHARGEN_FULL_REQUEST_BYTES } from "../../modes/mod.ts";
import { asTypedHere, EXIT, onStopSignal, printError, printLine, printStatus } from "../mod.ts";
import {
  BenchDatagrams,
  buildReportRequest,
  countUdpDrops,
  formatMbits,
  IntervalClock,
  ProgressLine,
  readBenchHeader,
  readReportAnswer,
  type ReportAnswer,
  UDP_BENCH_HEADER_BYTES,
} from "../throughput/mod.ts";
import { boundWords, clockSeconds, datagramsFor } from "./bench_bound.ts";
import {
  CHARGEN_ANSWER_BYTES,
  explainOneWay,
  formatOneWayHeader,
  formatOneWayInterval,
  formatOneWayJson,
  formatOneWaySummary,
  type OneWayRun,
  REPORT_REQUESTS,
} from "./bench_one_way_report.ts";
import { paceSends, sentQueued } from "./bench_pace.ts";
import { reportDoubt } from "./bench_report_check.ts";
import { silenceExplanation } from "./explain.ts";
import { faultSummary, startFaults } from "./fault_text.ts";
import type { UdpBenchOptions } from "./options.ts";
import { openUdpTarget } from "./target.ts";

const REPORT_WAIT_MS = 400;
// Answers still in flight when the requests stop get this long to arrive.
const FINAL_WAIT_MS = 1000;

/**
 * Runs `udp.ts bench --direction up` (numbered datagrams at `--rate` to a
 * discard server or any sink, then a report request that socklab's discard
 * server answers with what arrived) or `--direction down` (small requests to
 * a chargen server, each answered with one datagram, which are counted).
 * @returns 0 when data arrived, or was sent to a sink that does not report;
 * 1 when the receiver reported nothing, holds no count of the run or sent an
 * impossible report, or no answer came back.
 * @throws {UsageError} when `--size` is over the UDP limit for the server's IP version.
 */
export async function runOneWayBench(options: UdpBenchOptions): Promise<number> {
  const up = options.direction === "up";
  const runId = crypto.getRandomValues(new Uint32Array(1))[0]!;
  const sent = { packets: 0, bytes: 0 };
  const here = { packets: 0, bytes: 0, lastAtMs: 0 };
  let answer: ReportAnswer | undefined;
  let answerAtMs = 0;
  // Only an answer to a request is one: whatever came before was not asked for.
  let asked = false;
  let echoed = false;
  const arrived = new Waiters();
  const faults = startFaults(options.faults, { verbose: false, json: false });
  const { address, endpoint } = await openUdpTarget(
    options.host,
    options.port,
    false,
    ({ message }) => {
      if (up) {
        if (asked && !answer) {
          answer = readReportAnswer(message.bytes, runId);
          answerAtMs = performance.now();
        }
      } else {
        // An echo server sends the request itself back: worth saying, it is the wrong server.
        if (readBenchHeader(message.bytes)?.runId === runId) echoed = true;
        here.packets++;
        here.bytes += message.size;
        here.lastAtMs = performance.now();
      }
      arrived.release();
    },
    undefined,
    faults,
  );
  const where = formatAddress(address);
  try {
    // A smaller request would be answered with less: chargen sends at most three times what it got.
    const size = up ? options.size : Math.max(UDP_BENCH_HEADER_BYTES, CHARGEN_FULL_REQUEST_BYTES);
    const limit = endpoint.limitFor(address);
    if (size > limit) {
      throw new UsageError(
        `--size must be at most ${limit} bytes for one UDP datagram to ${where}, got '${size}'`,
      );
    }
    printStatus(
      up
        ? `bench up: ${size}-byte datagrams to udp://${where} at ${
          formatMbits(options.bitsPerSecond)
        } ${
          boundWords(options.count, options.seconds, size)
        }, then a report request (answered by udp.ts server --mode discard)`
        : `bench down: ${size}-byte requests to udp://${where}, one per ${CHARGEN_ANSWER_BYTES} bytes `
          + `asked for, at ${formatMbits(options.bitsPerSecond)} ${
            boundWords(options.count, options.seconds, CHARGEN_ANSWER_BYTES)
          } `
          + `(a chargen server answers each with one datagram)`,
    );
    const startedAt = new Date();
    const dropsSince = countUdpDrops();
    const run: OneWayRun = {
      direction: up ? "up" : "down",
      target: address,
      local: endpoint.localAddress,
      startedAt,
      datagramBytes: size,
      targetBitsPerSecond: options.bitsPerSecond,
      duration: options.count ? 0 : options.seconds,
      count: options.count,
      seconds: 0,
      startedAtMs: performance.now(),
      intervals: [],
      sent,
      here,
      report: undefined,
      bufferDrops: undefined,
      sendErrors: 0,
      sendBufferDrops: undefined,
      heldBackMs: 0,
      sentShare: 1,
    };
    const errorsBefore = endpoint.stats.errors;
    const datagrams = new BenchDatagrams(size);
    const progress = new ProgressLine(ProgressLine.wanted(options.json));
    let mark = { sent: { ...sent }, here: { ...here } };
    if (!options.json) printLine(formatOneWayHeader(run));
    const clock = new IntervalClock(clockSeconds(options.count, options.seconds), {
      interval(start, end) {
        const interval = {
          start,
          end,
          sentPackets: sent.packets - mark.sent.packets,
          sentBytes: sent.bytes - mark.sent.bytes,
          packets: here.packets - mark.here.packets,
          bytes: here.bytes - mark.here.bytes,
        };
        mark = { sent: { ...sent }, here: { ...here } };
        run.intervals.push(interval);
        progress.clear();
        if (!options.json) printLine(formatOneWayInterval(run, interval));
      },
      progress(elapsed) {
        progress.show(
          `${elapsed.toFixed(1).padStart(5)} s  sent ${sent.packets} datagrams${
            up ? "" : `  answered ${here.packets}`
          }`,
        );
      },
    });
    onStopSignal(() => clock.stop());
    const pacing = await paceSends(
      options.bitsPerSecond,
      up ? size : CHARGEN_ANSWER_BYTES,
      clock,
      () => {
        const seq = sent.packets++;
        sent.bytes += size;
        endpoint.send(datagrams.build({ runId, seq, sentAtMs: performance.now() }), address);
      },
      () => endpoint.queuedDatagrams,
      options.count ? datagramsFor(options.count, up ? size : CHARGEN_ANSWER_BYTES) : Infinity,
    );
    run.heldBackMs = pacing.heldBackMs;
    run.sentShare = pacing.sentShare;
    progress.clear();
    run.seconds = run.intervals.at(-1)?.end ?? 0;
    // Delayed and held-back datagrams are still to go: the waits start once they have.
    if (faults) await faults.finish();
    await sentQueued(endpoint);
    if (up) {
      // A lost report request is sent again; a sink that never answers costs the whole wait.
      asked = true;
      for (let i = 0; i < REPORT_REQUESTS && !answer; i++) {
        endpoint.send(buildReportRequest(runId), address);
        const deadline = Date.now() + REPORT_WAIT_MS;
        while (!answer && Date.now() < deadline) {
          await settlesWithin(arrived.wait(), deadline - Date.now());
        }
      }
      takeAnswer(run, answer, answerAtMs);
    } else {
      const deadline = Date.now() + FINAL_WAIT_MS;
      while (here.packets < sent.packets && Date.now() < deadline) {
        await settlesWithin(arrived.wait(), deadline - Date.now());
      }
    }
    if (faults) printStatus(faultSummary(faults));
    const drops = dropsSince();
    run.bufferDrops = drops.receiveBuffer;
    run.sendBufferDrops = drops.sendBuffer;
    run.faults = faults?.stats;
    run.sendErrors = endpoint.stats.errors - errorsBefore;
    if (options.json) printLine(formatOneWayJson(run));
    else {
      for (const line of formatOneWaySummary(run)) printLine(line);
      for (const line of explainOneWay(run)) printStatus(line);
    }
    if (echoed) {
      printStatus(
        asTypedHere(
          `the answers from ${where} are the requests sent back: that is an echo server; `
            + `--direction down needs a chargen server (udp.ts server --mode chargen)`,
        ),
      );
    }
    return verdict(run, where);
  } finally {
    await endpoint.close();
  }
}

/** Puts the receiver's answer into `run`: its report if credible, else why there is none. */
function takeAnswer(run: OneWayRun, answer: ReportAnswer | undefined, atMs: number): void {
  if (answer?.kind === "missing") run.reportProblem = answer;
  if (answer?.kind !== "report") return;
  const doubt = reportDoubt(answer.counts, run.sent, atMs - run.startedAtMs);
  if (doubt === undefined) run.report = answer.counts;
  else run.reportProblem = { kind: "not credible", doubt };
}

function verdict(run: OneWayRun, where: string): number {
  const problem = run.reportProblem;
  if (problem?.kind === "not credible") {
    printError(
      asTypedHere(
        `udp.ts: the receiver's report from ${where} is not credible (${problem.doubt}); `
          + `only this side's figures are shown`,
      ),
    );
    return EXIT.failure;
  }
  if (problem?.kind === "missing") {
    printError(asTypedHere(
      `udp.ts: the server at ${where} has no count of this run, so its loss is unknown: ${
        problem.reason === "crowded"
          ? "it holds as many bench runs as it keeps and turned this one away (too many at once, "
            + "or a peer flooding it); run the bench again"
          : `none of the ${run.sent.packets} datagrams reached it (a firewall, a wrong address, or `
            + `datagrams over its --max-datagram), or it was restarted during the run`
      }`,
    ));
    return EXIT.failure;
  }
  if (run.direction === "up") {
    if (!run.report || run.report.packets > 0 || run.sent.packets === 0) return EXIT.ok;
    printError(
      asTypedHere(
        `udp.ts: the server at ${where} reports that none of the ${run.sent.packets} datagrams arrived; `
          + `a firewall or a wrong address between here and there may drop them`,
      ),
    );
    return EXIT.failure;
  }
  if (run.here.packets > 0) return EXIT.ok;
  printError(
    asTypedHere(
      `udp.ts: no answers from ${where} to ${run.sent.packets} requests; ${silenceExplanation()} `
        + `(--direction down needs a chargen server: udp.ts server --mode chargen)`,
    ),
  );
  return EXIT.failure;
}
