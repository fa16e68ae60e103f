// How `udp.ts bench --direction down` asks socklab's UDP chargen server for a
// paced stream, as `iperf3 -R` gets one, without making the server a weapon:
// a stream goes only to an address that has shown it receives there, by
// sending back a cookie the server sent it (QUIC's Retry, RFC 9000 section
// 8.1), and only while that address keeps saying it wants more (consent
// freshness, RFC 7675). Every answer here is no larger than the request it
// answers, so a forged source address gains nothing.
//
//   client                               server
//   OPEN  (what it asks for)      ->
//                                 <-     COOKIE (a MAC of that and the address)
//   GO    (the ask, the cookie)   ->     the stream starts
//                                 <-     STATUS, and bench datagrams at the rate
//   GO    (every 100 ms)          ->     consent: the stream stops 3 s after the last
//                                 <-     STATUS (what was sent so far; done at the end)
//   STOP  (the ask, the cookie)   ->     ends it early (Ctrl-C)
//
// Any other chargen (RFC 864, or a socklab before streams) answers OPEN with
// characters, and the client falls back to one request per answer.

import { dataViewOf } from "../bytes/mod.ts";
import { magicOf } from "./udp_header.ts";

/** What a client asks the server to stream to it. */
export interface StreamAsk {
  /** The bench run's id: the stream's datagrams carry it. */
  readonly runId: number;
  /** Payload bits per second. */
  readonly bitsPerSecond: number;
  /** UDP payload bytes of each datagram, bench header included. */
  readonly datagramBytes: number;
  /** How long to stream, in ms. */
  readonly durationMs: number;
  /** Datagrams to send before stopping, as iperf3's `-k`; 0 for as many as the time allows. */
  readonly datagrams: number;
}

/** A client's GO or STOP: the ask again, with the cookie the server sent for it. */
export interface StreamCookie {
  /** The server's clock, in whole seconds, when it made the cookie: old cookies start nothing. */
  readonly issuedAtS: number;
  /** The server's MAC over the ask, the client's address and `issuedAtS`. */
  readonly mac: Uint8Array;
}

/** Where a stream is, as the server says in a STATUS. */
export type StreamState =
  | "streaming"
  | "done"
  | "busy"
  | "refused"
  | "expired";

/** The server's answer to a GO or STOP, or its refusal of an OPEN. */
export interface StreamStatus {
  readonly runId: number;
  /**
   * `streaming`; `done` (its time or count reached, stopped, or consent
   * lapsed); `busy` (this host already has a stream, or the server has as
   * many as it runs); `refused` (an ask the server does not serve: see
   * `detail`); `expired` (a cookie too old, or not this server's).
   */
  readonly state: StreamState;
  /** Datagrams the server has sent on this stream. */
  readonly sentDatagrams: number;
  /** Their payload bytes. */
  readonly sentBytes: number;
  /** `refused`: the largest rate, in bits per second, the server streams at; else 0. */
  readonly detail: number;
}

/** Bytes of the MAC a cookie carries: 128 bits of HMAC-SHA256 (RFC 2104 allows truncation to half). */
export const STREAM_MAC_BYTES = 16;

// "SLBO", "SLBK", "SLBG", "SLBX", "SLBT": Open, cooKie, Go, eXit, sTatus,
// beside the bench datagrams' "SLBN" and the discard server's report "SLBQ".
const OPEN_MAGIC = 0x534c424f;
const COOKIE_MAGIC = 0x534c424b;
const GO_MAGIC = 0x534c4247;
const STOP_MAGIC = 0x534c4258;
const STATUS_MAGIC = 0x534c4254;
const ASK_BYTES = 28;
// Padded so that neither a COOKIE nor a STATUS answering it is larger.
const OPEN_BYTES = 36;
const COOKIE_BYTES = 12 + STREAM_MAC_BYTES;
const GO_BYTES = ASK_BYTES + 4 + STREAM_MAC_BYTES;
const STATUS_BYTES = 36;
const STATES: readonly StreamState[] = ["streaming", "done", "busy", "refused", "expired"];

function writeAsk(bytes: Uint8Array, magic: number, ask: StreamAsk): DataView {
  const v = dataViewOf(bytes);
  v.setUint32(0, magic);
  v.setUint32(4, ask.runId);
  v.setFloat64(8, ask.bitsPerSecond);
  v.setUint32(16, ask.datagramBytes);
  v.setUint32(20, ask.durationMs);
  v.setUint32(24, ask.datagrams);
  return v;
}

function readAsk(v: DataView): StreamAsk {
  return {
    runId: v.getUint32(4),
    bitsPerSecond: v.getFloat64(8),
    datagramBytes: v.getUint32(16),
    durationMs: v.getUint32(20),
    datagrams: v.getUint32(24),
  };
}

/** The OPEN asking for `ask`. */
export function buildStreamOpen(ask: StreamAsk): Uint8Array {
  const bytes = new Uint8Array(OPEN_BYTES);
  writeAsk(bytes, OPEN_MAGIC, ask);
  return bytes;
}

/** The GO (or, with `stop`, the STOP) for `ask` with the server's `cookie`. */
export function buildStreamGo(ask: StreamAsk, cookie: StreamCookie, stop = false): Uint8Array {
  const bytes = new Uint8Array(GO_BYTES);
  writeAsk(bytes, stop ? STOP_MAGIC : GO_MAGIC, ask).setUint32(ASK_BYTES, cookie.issuedAtS);
  bytes.set(cookie.mac.subarray(0, STREAM_MAC_BYTES), ASK_BYTES + 4);
  return bytes;
}

/** The COOKIE for run `runId`. */
export function buildStreamCookie(runId: number, cookie: StreamCookie): Uint8Array {
  const bytes = new Uint8Array(COOKIE_BYTES);
  const v = dataViewOf(bytes);
  v.setUint32(0, COOKIE_MAGIC);
  v.setUint32(4, runId);
  v.setUint32(8, cookie.issuedAtS);
  bytes.set(cookie.mac.subarray(0, STREAM_MAC_BYTES), 12);
  return bytes;
}

/** The STATUS saying `status`. */
export function buildStreamStatus(status: StreamStatus): Uint8Array {
  const bytes = new Uint8Array(STATUS_BYTES);
  const v = dataViewOf(bytes);
  v.setUint32(0, STATUS_MAGIC);
  v.setUint32(4, status.runId);
  v.setUint32(8, STATES.indexOf(status.state));
  v.setFloat64(12, status.sentDatagrams);
  v.setFloat64(20, status.sentBytes);
  v.setFloat64(28, status.detail);
  return bytes;
}

/** A message of this protocol that a server takes, as read from a datagram. */
export type StreamRequest =
  | { kind: "open"; ask: StreamAsk }
  | { kind: "go" | "stop"; ask: StreamAsk; cookie: StreamCookie };

/** What a client sent, if it is an OPEN, GO or STOP; undefined for anything else. */
export function readStreamRequest(bytes: Uint8Array): StreamRequest | undefined {
  if (bytes.length < 4) return undefined;
  const v = dataViewOf(bytes);
  const magic = v.getUint32(0);
  if (magic === OPEN_MAGIC && bytes.length === OPEN_BYTES) return { kind: "open", ask: readAsk(v) };
  if ((magic !== GO_MAGIC && magic !== STOP_MAGIC) || bytes.length !== GO_BYTES) return undefined;
  return {
    kind: magic === GO_MAGIC ? "go" : "stop",
    ask: readAsk(v),
    cookie: {
      issuedAtS: v.getUint32(ASK_BYTES),
      mac: bytes.slice(ASK_BYTES + 4, ASK_BYTES + 4 + STREAM_MAC_BYTES),
    },
  };
}

/** A message of this protocol that a client takes. */
export type StreamReply =
  | { kind: "cookie"; runId: number; cookie: StreamCookie }
  | { kind: "status"; status: StreamStatus };

/** What the server sent, if it is a COOKIE or STATUS for run `runId`; undefined otherwise. */
export function readStreamReply(bytes: Uint8Array, runId: number): StreamReply | undefined {
  if (bytes.length < 8) return undefined;
  const v = dataViewOf(bytes);
  if (v.getUint32(4) !== runId) return undefined;
  const magic = v.getUint32(0);
  if (magic === COOKIE_MAGIC && bytes.length === COOKIE_BYTES) {
    return {
      kind: "cookie",
      runId,
      cookie: { issuedAtS: v.getUint32(8), mac: bytes.slice(12, 12 + STREAM_MAC_BYTES) },
    };
  }
  if (magic !== STATUS_MAGIC || bytes.length !== STATUS_BYTES) return undefined;
  const state = STATES[v.getUint32(8)];
  if (state === undefined) return undefined;
  return {
    kind: "status",
    status: {
      runId,
      state,
      sentDatagrams: v.getFloat64(12),
      sentBytes: v.getFloat64(20),
      detail: v.getFloat64(28),
    },
  };
}

const MESSAGE_BYTES = new Map([
  [OPEN_MAGIC, OPEN_BYTES],
  [COOKIE_MAGIC, COOKIE_BYTES],
  [GO_MAGIC, GO_BYTES],
  [STOP_MAGIC, GO_BYTES],
  [STATUS_MAGIC, STATUS_BYTES],
]);

/** True for any message of this protocol, either way, of any run (not the stream's datagrams). */
export function isStreamMessage(bytes: Uint8Array): boolean {
  return MESSAGE_BYTES.get(magicOf(bytes)) === bytes.length;
}

/** True when `bytes` is an OPEN: what an echo server sends back instead of a cookie. */
export function isStreamOpen(bytes: Uint8Array): boolean {
  return bytes.length === OPEN_BYTES && dataViewOf(bytes).getUint32(0) === OPEN_MAGIC;
}

/**
 * The bytes a cookie's MAC covers: the ask, where the client is, and when.
 * Binding the address is what makes a cookie proof that the client receives
 * there: a forger never sees the cookie sent to the address it forges.
 */
export function cookieInput(
  ask: StreamAsk,
  hostname: string,
  port: number,
  issuedAtS: number,
): Uint8Array<ArrayBuffer> {
  const host = new TextEncoder().encode(hostname);
  const bytes = new Uint8Array(ASK_BYTES + 8 + host.length);
  const v = writeAsk(bytes, 0, ask);
  v.setUint32(ASK_BYTES, issuedAtS);
  v.setUint32(ASK_BYTES + 4, port);
  bytes.set(host, ASK_BYTES + 8);
  return bytes;
}
