import { isReportMessage } from "./udp_report.ts";
import { isStreamMessage } from "./udp_stream_protocol.ts";

/**
 * True for a UDP bench's own bookkeeping, either way: down's stream requests
 * and answers, up's report request and report. iperf3 sends its equivalents
 * over TCP; injected faults (`--drop`) spare these, on the bench and on the
 * server alike, so that they cost the data and not the run.
 */
export function isBenchControl(bytes: Uint8Array): boolean {
  return isStreamMessage(bytes) || isReportMessage(bytes);
}
