// What a TCP throughput run measured, as data: the CLI renders it as iperf3's
// text layout or its -J JSON, a teacher's script reads it as it is.
import type { SocketAddress } from "../net/mod.ts";
import type { SideTotals } from "./tcp_streams.ts";

/** Which way the bytes of a run go, seen from the client. */
export type BenchDirection = "up" | "down" | "both";

/** One direction of one stream: what is sent (TX) or received (RX). */
export interface Lane {
  /** The stream it belongs to. */
  readonly id: number;
  /** True for what this side sends, false for what it receives. */
  readonly sender: boolean;
}

/** One report interval: bytes per lane, in the order of the run's lanes. */
export interface BenchInterval {
  /** Seconds from the start of the run. */
  start: number;
  /** Seconds from the start of the run. */
  end: number;
  /** Bytes moved in the interval, one entry per lane of the run. */
  bytes: number[];
}

/** One stream's summary: what left this side and what the far side is known to have read. */
export interface StreamSummary {
  /** The stream. */
  id: number;
  /** What left this side within the run; undefined for a download. */
  sender: SideTotals | undefined;
  /** What the receiving side is known to have read; undefined when it could not be told. */
  receiver: SideTotals | undefined;
  /** Echo runs only: messages sent and echoed. */
  messages?: { sent: number; echoed: number };
}

/** Everything a report needs about a finished run. */
export interface BenchRun {
  /** Which way the bytes went. */
  direction: BenchDirection;
  /** The server, as the first stream reached it. */
  target: SocketAddress;
  /** How long the run was asked to last. */
  seconds: number;
  /** Bytes per write, or per message for an echo run. */
  blockBytes: number;
  /** Echo runs only: the framing spoken. */
  framing?: string;
  /** When the bytes started to move. */
  startedAt: Date;
  /** Each stream's two ends. */
  streams: { id: number; local: SocketAddress; remote: SocketAddress }[];
  /** Each direction of each stream, in the order intervals count them. */
  lanes: Lane[];
  /** One per second of the run. */
  intervals: BenchInterval[];
  /** One per stream, once the run is over. */
  summaries: StreamSummary[];
  /** Why the run ended early, in one line; undefined when every stream finished cleanly. */
  failure: string | undefined;
  /** The TLS session of a --tls run, for the JSON; undefined for plain TCP. */
  tls?: { version: string; fingerprint: string };
}
