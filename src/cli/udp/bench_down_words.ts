// What `udp.ts bench --direction down` says about how the server serves it:
// socklab's chargen streams, as iperf3 -R's server does; any other chargen
// answers one request at a time; or socklab's turns the stream away.
import { countOf } from "../../bytes/mod.ts";
import type { DownMode, UdpBenchCount, UdpThroughputResult } from "../../measure/mod.ts";
import { CHARGEN_ANSWER_BYTES } from "../../measure/mod.ts";
import { formatMbits } from "../throughput/mod.ts";
import { boundWords } from "./bench_bound.ts";

/** What the start line of a down run needs. */
export interface DownStart {
  mode: DownMode | undefined;
  /** `udp://HOST:PORT` without the scheme. */
  where: string;
  /** The streamed datagram, or the request. */
  datagramBytes: number;
  bitsPerSecond: number;
  seconds: number;
  count: UdpBenchCount | undefined;
}

/** The status line when a down run starts. */
export function downStartLine(start: DownStart): string {
  const rate = formatMbits(start.bitsPerSecond);
  if (start.mode === "stream") {
    return `bench down: asks socklab's chargen at udp://${start.where} for a stream of `
      + `${start.datagramBytes}-byte datagrams at ${rate} ${
        boundWords(start.count, start.seconds, start.datagramBytes)
      } (this address proven by a cookie round trip)`;
  }
  return `bench down: ${start.datagramBytes}-byte requests to udp://${start.where}, one per `
    + `${CHARGEN_ANSWER_BYTES} bytes asked for, at ${rate} ${
      boundWords(start.count, start.seconds, CHARGEN_ANSWER_BYTES)
    } (a chargen server answers each with one datagram)`;
}

/** What a down stream's explanation needs. */
export interface DownStreamFacts {
  /** Whether `sent` is the server's own count, or this side's estimate. */
  senderCounted: boolean;
  /** Copies of datagrams that had already arrived. */
  duplicates: number;
}

/** How down's figures were counted: by stream (and how sure the sender's count is), or by request. */
export function explainDown(mode: DownMode | undefined, stream: DownStreamFacts): string[] {
  if (mode !== "stream") {
    return [
      "down: each request asks for one answer, so lost = requests without an answer (the "
      + "request or its answer was lost); jitter is n/a: chargen's answers carry no send time",
    ];
  }
  const lines = [
    "down: socklab's chargen streamed the datagrams at the rate, as iperf3 -R's server does; "
    + "lost = datagrams the server says it sent that never arrived; jitter (RFC 3550) from the "
    + "send times the datagrams carry",
  ];
  if (!stream.senderCounted) {
    lines.push(
      "the server's final count never came (its last answers were lost, or it stopped): the "
        + "sender's count is this side's estimate, the highest sequence number that arrived + 1, "
        + "so datagrams lost at the very end of the run are not counted as lost",
    );
  }
  if (stream.duplicates > 0) {
    lines.push(
      `${
        countOf(stream.duplicates, "datagram")
      } arrived more than once (the network copied them): each was counted once`,
    );
  }
  return lines;
}

/** The one line saying why socklab's chargen turned a stream away, and what to do. */
export function refusalLine(
  refusal: NonNullable<UdpThroughputResult["streamRefusal"]>,
  where: string,
): string {
  const server = `udp.ts: the chargen server at ${where}`;
  switch (refusal.state) {
    case "busy":
      return `${server} is busy: it already streams to this host, or runs as many streams as it `
        + `serves at once; run the bench again once that one is done`;
    case "refused":
      return `${server} refused the stream as over its limits (at most ${
        formatMbits(refusal.maxBitsPerSecond)
      }, a day, and datagrams from 20 bytes to the most one UDP datagram to this address holds); `
        + `lower --rate, --time or --size`;
    case "expired":
      return `${server} turned the stream away: the cookie it gave had expired (over 30 s old, or `
        + `the server restarted in between); run the bench again`;
  }
}

/** The failure line of a stream that agreed to start but of which nothing arrived. */
export function nothingStreamedLine(where: string, sent: number, counted: boolean): string {
  return `udp.ts: the chargen server at ${where} agreed to stream, but none of its datagrams `
    + `arrived here${counted ? ` (it says it sent ${sent})` : ""}; a firewall between here and `
    + `there may drop them`;
}
