import { formatAddress } from "../../address.ts";
import type { SocketAddress } from "../../net/types.ts";
import {
  type BenchReport,
  buildReport,
  readBenchHeader,
  readReportRequest,
  ReceiverTally,
} from "../bench/mod.ts";

// Runs remembered at once; the oldest is forgotten first, so a server up for
// weeks keeps a bounded table.
const MAX_RUNS = 16;

/**
 * The receiving end of `udp.ts bench --direction up` inside a UDP discard
 * server: counts each run's bench datagrams per peer and answers a report
 * request with them, so the client can print the receiver's line.
 */
export class BenchReceiver {
  readonly #runs = new Map<string, ReceiverTally>();

  /**
   * Counts `bytes` if it is a bench datagram.
   * @returns The report to send back when `bytes` is a report request, with the run's counts.
   */
  take(
    bytes: Uint8Array,
    from: SocketAddress,
  ): { answer: Uint8Array; report: BenchReport } | undefined {
    const header = readBenchHeader(bytes);
    if (header) {
      this.#tallyOf(from, header.runId).record(
        header.seq,
        header.sentAtMs,
        performance.now(),
        bytes.length,
      );
      return undefined;
    }
    const runId = readReportRequest(bytes);
    if (runId === undefined) return undefined;
    const report = this.#tallyOf(from, runId).counts();
    return { answer: buildReport(runId, report), report };
  }

  #tallyOf(from: SocketAddress, runId: number): ReceiverTally {
    const key = `${formatAddress(from)} ${runId}`;
    let tally = this.#runs.get(key);
    if (!tally) {
      if (this.#runs.size >= MAX_RUNS) this.#runs.delete(this.#runs.keys().next().value!);
      this.#runs.set(key, tally = new ReceiverTally());
    }
    return tally;
  }
}
