import { Buffer } from "node:buffer";
import { formatAddress } from "../../address/mod.ts";
import { countOf } from "../../bytes/mod.ts";
import { describeError } from "../../errors/mod.ts";
import type { TraceEndpoints, TraceEvent, TraceSink } from "../../message/mod.ts";
import { NetError } from "../../net/mod.ts";
import { clockTime, describeRefusal, printNarration } from "../mod.ts";
import { hexDump } from "./hex_dump.ts";
import { LruMap } from "./lru_map.ts";

/** How much of the wire a script shows on stderr. */
export interface NarrationOptions {
  /** A line per event: connects, reads, writes, FIN, RST, close. */
  verbose: boolean;
  /** The same events as JSON Lines, for graders and scripts. */
  json: boolean;
  /** Every byte in and out as hex and ASCII. */
  hex: boolean;
}

function incoming(event: TraceEvent): boolean {
  return event.type === "read" || event.type === "datagram-in" || event.type === "peer-fin"
    || (event.type === "datagram-fault" && event.direction === "in");
}

/** The sentence a student reads for one event. */
function sentence(event: TraceEvent): string {
  switch (event.type) {
    case "connected":
      return "connected (handshake done: SYN, SYN/ACK, ACK)";
    case "read":
      return `read ${countOf(event.data.length, "byte")}, ${
        countOf(event.messages, "message")
      } complete`;
    case "wrote":
      return `wrote ${countOf(event.data.length, "byte")} (${countOf(event.messages, "message")})`;
    case "peer-fin":
      return "peer half-closed (FIN received): it sends no more, replies can still go";
    case "fin-sent":
      return "half-closed our side (FIN sent after the queued bytes)";
    case "closed":
      if (event.early !== undefined && !event.error) {
        return `closed before the peer's FIN (${event.early}): what it still sends is answered with RST`;
      }
      if (!event.error) return "closed";
      if (event.error instanceof NetError && event.error.code === "CONNECTION_RESET") {
        return "reset by peer (RST): the connection was aborted";
      }
      return `closed: ${describeError(event.error)}`;
    case "refused":
      return `refused: ${describeRefusal(event.reason, event.code)}`;
    case "datagram-in":
      return `datagram in, ${countOf(event.data.length, "byte")}`;
    case "datagram-out":
      return `datagram out, ${countOf(event.data.length, "byte")}`;
    case "datagram-fault":
      return faultSentence(event);
  }
}

function nagleSentence(event: Extract<TraceEvent, { type: "connected" }>): string {
  return event.nagle
    ? "Nagle's algorithm on: small writes wait for the ACK of earlier data, then leave joined"
    : "TCP_NODELAY: each write goes out at once, however small (--nagle to hold them)";
}

function faultSentence(event: Extract<TraceEvent, { type: "datagram-fault" }>): string {
  const which = `datagram ${event.datagram} (${countOf(event.bytes, "byte")})`;
  switch (event.fault) {
    case "dropped":
      return event.direction === "in"
        ? `${which} received and dropped on purpose (--drop)`
        : `${which} dropped on purpose (--drop): never sent`;
    case "delayed":
      return `${which} delayed ${Math.round(event.delayMs ?? 0)} ms on purpose (--delay)`;
    case "duplicated":
      return `${which} duplicated on purpose (--dup): it goes out twice`;
    case "held":
      return `${which} held back on purpose (--reorder): it goes after the next one`;
    case "overflow":
      return `${which} dropped: too many datagrams already delayed or held back`;
    case "unsent":
      return `${which} never sent: still delayed or held back when the socket closed`;
  }
}

/** The event as one JSON object; the schema is documented in docs/reference.md. */
function jsonRecord(event: TraceEvent, where: TraceEndpoints, time: Date): Record<string, unknown> {
  const record: Record<string, unknown> = {
    time: time.toISOString(),
    protocol: where.protocol,
    event: event.type,
    local: formatAddress(where.local),
    remote: formatAddress(where.remote),
  };
  if ("data" in event) record.bytes = event.data.length;
  if ("messages" in event) record.messages = event.messages;
  if (event.type === "datagram-fault") {
    record.fault = event.fault;
    record.direction = event.direction;
    record.datagram = event.datagram;
    record.bytes = event.bytes;
    if (event.delayMs !== undefined) record.delayMs = Math.round(event.delayMs);
  }
  if (event.type === "connected" && event.nagle !== undefined) record.nagle = event.nagle;
  if (event.type === "refused") record.reason = describeRefusal(event.reason, event.code);
  if (event.type === "closed" && event.early !== undefined) record.reason = event.early;
  if (event.type === "closed" && event.error) {
    record.error = event.error instanceof NetError ? event.error.code : event.error.name;
    record.message = describeError(event.error);
  }
  return record;
}

/**
 * Most connection directions whose hex offsets are remembered. A connection
 * whose "closed" event never comes (the trace was cut short) would otherwise
 * stay forever; past this, the one quiet longest restarts its offsets at 0.
 */
const MAX_HEX_STREAMS = 65_536;

/**
 * Builds the trace sink for a script's `--verbose`, `--json` and `--hex`
 * flags, writing to stderr so stdout keeps carrying only replies. Returns
 * `undefined` when all three are off, so nothing is traced at all.
 * @param options Which views are on.
 * @param write Where each line goes; stderr by default.
 * @param offsets Where `--hex` keeps stream offsets, by connection and
 * direction; by default at most {@linkcode MAX_HEX_STREAMS} of them. A test
 * passes its own to watch its size.
 * @returns The sink, or `undefined` when every view is off.
 */
export function createNarrator(
  options: NarrationOptions,
  write: (line: string) => void = printNarration,
  offsets: LruMap<string, number> = new LruMap(MAX_HEX_STREAMS),
): TraceSink | undefined {
  if (!options.verbose && !options.json && !options.hex) return undefined;
  // Offsets count per connection and direction, like a capture's relative sequence numbers.
  return (event, where) => {
    const now = new Date();
    const pairWith = (arrow: string) =>
      `${where.protocol} ${formatAddress(where.local)} ${arrow} ${formatAddress(where.remote)}`;
    const arrow = incoming(event) ? "<-" : "->";
    const pair = pairWith(arrow);
    const bytes = "data" in event && event.data.length > 0 ? event.data : undefined;
    // A datagram stands alone, so its bytes count from 0 and nothing is kept for its
    // peer: UDP has no "closed" to forget it by, and a scan or spoofed sources bring
    // new peers without end.
    let offset = 0;
    if (options.hex && bytes && where.protocol === "tcp") {
      offset = offsets.get(pair) ?? 0;
      offsets.set(pair, offset + bytes.length);
    }
    if (options.json) {
      // One object per event keeps every stderr line parseable: -v and --hex add fields.
      const record = jsonRecord(event, where, now);
      if (options.verbose) record.text = sentence(event);
      if (options.hex && bytes) {
        if (where.protocol === "tcp") record.offset = offset;
        record.hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
      }
      write(JSON.stringify(record));
    } else {
      if (options.verbose || (options.hex && "data" in event)) {
        write(`[${clockTime(now)}] ${pair}  ${sentence(event)}`);
      }
      // A line of its own, after the handshake's: which of the two a capture will show.
      if (options.verbose && event.type === "connected" && event.nagle !== undefined) {
        write(`[${clockTime(now)}] ${pair}  ${nagleSentence(event)}`);
      }
      if (options.hex && bytes) write(hexDump(bytes, offset, `  ${arrow} `));
    }
    if (event.type === "closed") {
      // Exact keys: a substring match would also reset another connection whose
      // port starts with this one's (127.0.0.1:5000 inside 127.0.0.1:50001).
      offsets.delete(pairWith("->"));
      offsets.delete(pairWith("<-"));
    }
  };
}
