import { formatAddress } from "../../address/mod.ts";
import {
  type DownMode,
  measureUdpThroughput,
  type UdpThroughputFailure,
} from "../../measure/mod.ts";
import { asTypedHere, EXIT, onStopSignal, printError, printLine, printStatus } from "../mod.ts";
import { formatMbits, ProgressLine } from "../throughput/mod.ts";
import { boundWords, sizeOverLimit } from "./bench_bound.ts";
import { downStartLine, nothingStreamedLine, refusalLine } from "./bench_down_words.ts";
import { formatOneWayFailureJson, formatOneWayJson } from "./bench_one_way_json.ts";
import {
  explainOneWay,
  formatOneWayHeader,
  formatOneWayInterval,
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
 * server answers with what arrived) or `--direction down` (socklab's chargen
 * streams numbered `--size` datagrams at `--rate`, as iperf3 -R's server
 * does; another chargen gets small requests, each answered with one datagram).
 * @returns 0 when data arrived, or was sent to a sink that does not report;
 * 1 when the receiver reported nothing, holds no count of the run or sent an
 * impossible report, no answer or stream came back, or the stream was refused.
 * @throws {UsageError} when `--size` is over the UDP limit for the server's IP version.
 */
export async function runOneWayBench(options: UdpBenchOptions): Promise<number> {
  const up = options.direction === "up";
  const direction = up ? "up" : "down";
  const faults = startFaults(options.faults, { verbose: false, json: false });
  const progress = new ProgressLine(ProgressLine.wanted(options.json));
  const stop = new AbortController();
  const intervals: OneWayInterval[] = [];
  let downMode: DownMode | undefined;
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
    onStart({ target, datagramBytes: size, downMode: mode }) {
      const where = formatAddress(target);
      downMode = mode;
      printStatus(
        up
          ? `bench up: ${size}-byte datagrams to udp://${where} at ${
            formatMbits(options.bitsPerSecond)
          } ${
            boundWords(options.count, options.seconds, size)
          }, then a report request (answered by udp.ts server --mode discard)`
          : downStartLine({
            mode,
            where,
            datagramBytes: size,
            bitsPerSecond: options.bitsPerSecond,
            seconds: options.seconds,
            count: options.count,
          }),
      );
      if (!options.json) printLine(formatOneWayHeader({ direction, downMode }));
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
        ...(counted.lost === undefined ? {} : { lost: counted.lost }),
        ...(counted.jitterMs === undefined ? {} : { jitterMs: counted.jitterMs }),
      };
      intervals.push(interval);
      progress.clear();
      if (!options.json) printLine(formatOneWayInterval({ direction, downMode }, interval));
    },
    onProgress({ elapsedSeconds, sentDatagrams, receivedDatagrams }) {
      const elapsed = `${elapsedSeconds.toFixed(1).padStart(5)} s`;
      // A stream's "sent" is what its sequence numbers show the server has sent so far.
      progress.show(
        downMode === "stream"
          ? `${elapsed}  received ${receivedDatagrams} of ${sentDatagrams} datagrams streamed`
          : `${elapsed}  sent ${sentDatagrams} datagrams${
            up ? "" : `  answered ${receivedDatagrams}`
          }`,
      );
    },
    onSent: () => progress.clear(),
    onNetworkError: benchNetErrorLines(),
  });
  const where = formatAddress(result.target);
  if (result.failure === "too large") throw sizeOverLimit(result, where);
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
    downMode: result.downMode,
    senderCounted: result.senderCounted,
    ...(result.downMode === "stream" && result.jitterMs !== undefined
      ? {
        streamTally: {
          jitterMs: result.jitterMs,
          duplicates: result.duplicates ?? 0,
          reordered: result.reordered ?? 0,
        },
      }
      : {}),
  };
  if (result.failure === "stream refused" && result.streamRefusal) {
    const line = asTypedHere(refusalLine(result.streamRefusal, where));
    if (options.json) printLine(formatOneWayFailureJson(run, line));
    printError(line);
    return EXIT.failure;
  }
  if (faults) printStatus(faultSummary(faults));
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
  if (run.downMode === "stream") {
    printError(
      asTypedHere(nothingStreamedLine(where, run.sent.packets, run.senderCounted === true)),
    );
    return EXIT.failure;
  }
  printError(
    asTypedHere(
      `udp.ts: no answers from ${where} to ${run.sent.packets} requests; ${silenceExplanation()} `
        + `(--direction down needs a chargen server: udp.ts server --mode chargen)`,
    ),
  );
  return EXIT.failure;
}
