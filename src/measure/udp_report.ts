// How `udp.ts bench --direction up` learns what arrived: after the last bench
// datagram it sends a small report request, and socklab's UDP discard server
// answers with what it counted for that run from that peer. Any other sink
// (socat, nc, iperf3) drops the request like any datagram, so the client
// hears nothing and reports the sender's side only.
import { dataViewOf } from "../bytes/mod.ts";
import { magicOf } from "./udp_header.ts";
import type { ReceiverCounts } from "./udp_receiver_tally.ts";

/** What a discard server reports about one run: what its tally counted. */
export type BenchReport = ReceiverCounts;

/**
 * Why a discard server holds no count of a run: `unknown`, none of its
 * datagrams reached a tally (none arrived, or the server started after the
 * run did); `crowded`, the same, but the server has lately been turning runs
 * away or forgetting idle ones because it held as many as it keeps.
 */
export type MissingReason = "unknown" | "crowded";

/** A discard server's answer to a report request: the run's counts, or why it has none. */
export type ReportAnswer =
  | { kind: "report"; counts: BenchReport }
  | { kind: "missing"; reason: MissingReason };

const MISSING_REASONS: readonly MissingReason[] = ["unknown", "crowded"];

// "SLBQ" and "SLBR": report reQuest and Report, beside the bench datagrams' "SLBN";
// "SLBM": the run's count is Missing. A discard server older than "SLBM"
// answers a run it holds no count of with a report of zeros.
const REQUEST_MAGIC = 0x534c4251;
const REPORT_MAGIC = 0x534c4252;
const MISSING_MAGIC = 0x534c424d;
const MISSING_BYTES = 12;
const REQUEST_BYTES = 8;
const REPORT_FIELDS = [
  "packets",
  "bytes",
  "duplicates",
  "outOfOrder",
  "jitterMs",
  "spanMs",
] as const;
const REPORT_BYTES = 8 + REPORT_FIELDS.length * 8;

/** The request for run `runId`'s counts: magic and run id, big-endian. */
export function buildReportRequest(runId: number): Uint8Array {
  const bytes = new Uint8Array(REQUEST_BYTES);
  const data = dataViewOf(bytes);
  data.setUint32(0, REQUEST_MAGIC);
  data.setUint32(4, runId);
  return bytes;
}

/** The run id a report request asks about; `undefined` when `bytes` is not one. */
export function readReportRequest(bytes: Uint8Array): number | undefined {
  if (bytes.length !== REQUEST_BYTES || dataViewOf(bytes).getUint32(0) !== REQUEST_MAGIC) {
    return undefined;
  }
  return dataViewOf(bytes).getUint32(4);
}

/** True for a report request, a report or a missing-count answer, of any run. */
export function isReportMessage(bytes: Uint8Array): boolean {
  const magic = magicOf(bytes);
  return (magic === REQUEST_MAGIC && bytes.length === REQUEST_BYTES)
    || (magic === REPORT_MAGIC && bytes.length === REPORT_BYTES)
    || (magic === MISSING_MAGIC && bytes.length === MISSING_BYTES);
}

/** The answer to a report request: magic, run id, then each count as a float64. */
export function buildReport(runId: number, counts: BenchReport): Uint8Array {
  const bytes = new Uint8Array(REPORT_BYTES);
  const data = dataViewOf(bytes);
  data.setUint32(0, REPORT_MAGIC);
  data.setUint32(4, runId);
  REPORT_FIELDS.forEach((field, i) => data.setFloat64(8 + i * 8, counts[field]));
  return bytes;
}

/** The counts in a report for run `runId`; `undefined` when `bytes` is not one. */
export function readReport(bytes: Uint8Array, runId: number): BenchReport | undefined {
  if (bytes.length !== REPORT_BYTES) return undefined;
  const data = dataViewOf(bytes);
  if (data.getUint32(0) !== REPORT_MAGIC || data.getUint32(4) !== runId) return undefined;
  const counts = {} as BenchReport;
  REPORT_FIELDS.forEach((field, i) => (counts[field] = data.getFloat64(8 + i * 8)));
  return counts;
}

/** The answer for run `runId` when the server holds no count of it: magic, run id, reason. */
export function buildMissingReport(runId: number, reason: MissingReason): Uint8Array {
  const bytes = new Uint8Array(MISSING_BYTES);
  const data = dataViewOf(bytes);
  data.setUint32(0, MISSING_MAGIC);
  data.setUint32(4, runId);
  data.setUint32(8, MISSING_REASONS.indexOf(reason));
  return bytes;
}

/** A report or a missing-count answer for run `runId`; `undefined` when `bytes` is neither. */
export function readReportAnswer(bytes: Uint8Array, runId: number): ReportAnswer | undefined {
  const counts = readReport(bytes, runId);
  if (counts) return { kind: "report", counts };
  if (bytes.length !== MISSING_BYTES) return undefined;
  const data = dataViewOf(bytes);
  if (data.getUint32(0) !== MISSING_MAGIC || data.getUint32(4) !== runId) return undefined;
  // A reason this side does not know is still no count.
  return { kind: "missing", reason: MISSING_REASONS[data.getUint32(8)] ?? "unknown" };
}
