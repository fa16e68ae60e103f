import { formatAddress } from "../../address/mod.ts";
import {
  CHARGEN_ANSWER_BYTES,
  measureUdpThroughput,
  type UdpThroughputFailure,
} from "../../measure/mod.ts";
import { asTypedHere, EXIT, onStopSignal, printError, printLine, printStatus } from "../mod.ts";
import { formatMbits, ProgressLine } from "../throughput/mod.ts";
import { boundWords, sizeOverLimit } from "./bench_bound.ts";
import {
  explainOneWay,
  formatOneWayHeader,
  formatOneWayInterval,
  formatOneWayJson,
  formatOneWaySummary,
  type OneWayInterval,
  type OneWayRun,
} from "./bench_one_way_report.ts";
import { silenceExplanation } from "./explain.ts";
import { faultSummary, startFaults } from "./fault_text.ts";
import type { UdpBenchOptions } from "./options.ts";
import { benchNetErrorLines } from "./udp_error_facts.ts";

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
  const direction = up ? "up" : "down";
  const faults = startFaults(options.faults, { verbose: false, json: false });
  const progress = new ProgressLine(ProgressLine.wanted(options.json));
  const stop = new AbortController();
  const intervals: OneWayInterval[] = [];
  const result = await measureUdpThroughput({
    host: options.host,
    port: options.port,
    direction,
    bitsPerSecond: options.bitsPerSecond,
    size: options.size,
    seconds: options.seconds,
    count: options.count,
    faults,
    signal: stop.signal,
  }, {
    onStart({ target, datagramBytes: size }) {
      const where = formatAddress(target);
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
      if (!options.json) printLine(formatOneWayHeader({ direction }));
      onStopSignal(() => stop.abort());
    },
    onInterval(counted) {
      const interval = {
        start: counted.start,
        end: counted.end,
        sentPackets: counted.sentDatagrams,
        sentBytes: counted.sentBytes,
        packets: counted.receivedDatagrams,
        bytes: counted.receivedBytes,
      };
      intervals.push(interval);
      progress.clear();
      if (!options.json) printLine(formatOneWayInterval({ direction }, interval));
    },
    onProgress({ elapsedSeconds, sentDatagrams, receivedDatagrams }) {
      progress.show(
        `${elapsedSeconds.toFixed(1).padStart(5)} s  sent ${sentDatagrams} datagrams${
          up ? "" : `  answered ${receivedDatagrams}`
        }`,
      );
    },
    onSent: () => progress.clear(),
    onNetworkError: benchNetErrorLines(),
  });
  const where = formatAddress(result.target);
  if (result.failure === "too large") throw sizeOverLimit(result, where);
  if (faults) printStatus(faultSummary(faults));
  const run: OneWayRun = {
    direction,
    target: result.target,
    local: result.local,
    startedAt: result.startedAt,
    datagramBytes: result.datagramBytes,
    receiveBuffer: { asked: result.receiveBufferAsked, bytes: result.receiveBufferBytes },
    targetBitsPerSecond: options.bitsPerSecond,
    duration: options.count ? 0 : options.seconds,
    count: options.count,
    seconds: result.seconds,
    startedAtMs: result.startedAtMs,
    intervals,
    sent: { packets: result.sent.datagrams, bytes: result.sent.bytes },
    here: {
      packets: result.received.datagrams,
      bytes: result.received.bytes,
      lastAtMs: result.received.lastAtMs,
    },
    report: result.report,
    reportProblem: result.reportProblem,
    bufferDrops: result.bufferDrops,
    sendErrors: result.sendErrors,
    sendBufferDrops: result.sendBufferDrops,
    heldBackMs: result.heldBackMs,
    sentShare: result.sentShare,
    faults: result.faults,
  };
  if (options.json) printLine(formatOneWayJson(run));
  else {
    for (const line of formatOneWaySummary(run)) printLine(line);
    for (const line of explainOneWay(run)) printStatus(line);
  }
  if (result.echoedRequests) {
    printStatus(
      asTypedHere(
        `the answers from ${where} are the requests sent back: that is an echo server; `
          + `--direction down needs a chargen server (udp.ts server --mode chargen)`,
      ),
    );
  }
  return verdict(run, result.failure, where);
}

function verdict(
  run: OneWayRun,
  failure: UdpThroughputFailure | undefined,
  where: string,
): number {
  const problem = run.reportProblem;
  if (failure === "report not credible" && problem?.kind === "not credible") {
    printError(
      asTypedHere(
        `udp.ts: the receiver's report from ${where} is not credible (${problem.doubt}); `
          + `only this side's figures are shown`,
      ),
    );
    return EXIT.failure;
  }
  if (failure === "report missing" && problem?.kind === "missing") {
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
  if (failure === "nothing arrived") {
    printError(
      asTypedHere(
        `udp.ts: the server at ${where} reports that none of the ${run.sent.packets} datagrams arrived; `
          + `a firewall or a wrong address between here and there may drop them`,
      ),
    );
    return EXIT.failure;
  }
  if (failure !== "no answers") return EXIT.ok;
  printError(
    asTypedHere(
      `udp.ts: no answers from ${where} to ${run.sent.packets} requests; ${silenceExplanation()} `
        + `(--direction down needs a chargen server: udp.ts server --mode chargen)`,
    ),
  );
  return EXIT.failure;
}
