import { lenientText } from "../bytes/mod.ts";
// The DNS message format (RFC 1035 section 4) as multicast DNS uses it (RFC 6762
// section 18): only the record types DNS-SD needs are decoded, the rest kept as bytes.
// Names are label lists, not dotted strings: a DNS-SD instance name may hold dots and spaces.

/** A domain name as its labels, e.g. `["Ani", "_socklab", "_tcp", "local"]`. */
export type DnsName = readonly string[];

/** The record types DNS-SD uses (RFC 6763), and ANY for questions. */
export const RR = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, NSEC: 47, ANY: 255 } as const;

const CLASS_IN = 1;
// The top bit of the class: "unicast response wanted" in a question, "cache flush" in an answer.
const TOP_BIT = 0x8000;
const MAX_LABEL = 63;
const MAX_NAME_BYTES = 255;

/** What a record says, by type. */
export type RecordData =
  | { readonly type: typeof RR.A; readonly address: string }
  | { readonly type: typeof RR.AAAA; readonly address: string }
  | { readonly type: typeof RR.PTR; readonly target: DnsName }
  | {
    readonly type: typeof RR.SRV;
    readonly priority: number;
    readonly weight: number;
    readonly port: number;
    readonly target: DnsName;
  }
  | { readonly type: typeof RR.TXT; readonly entries: readonly string[] }
  | { readonly type: number; readonly bytes: Uint8Array };

/** One resource record. */
export interface DnsRecord {
  readonly name: DnsName;
  /** Seconds; 0 is a goodbye (RFC 6762 section 10.1). */
  readonly ttl: number;
  /** Set on records only this host answers (its addresses, its SRV and TXT). */
  readonly cacheFlush: boolean;
  readonly data: RecordData;
}

/** One question. */
export interface DnsQuestion {
  readonly name: DnsName;
  readonly type: number;
  /** The QU bit: the asker wants the answer by unicast (RFC 6762 section 5.4). */
  readonly unicastResponse: boolean;
}

/** A whole message. */
export interface DnsMessage {
  readonly id: number;
  readonly isResponse: boolean;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  /** What a probe proposes to own (RFC 6762 section 8.2); absent when none. */
  readonly authorities?: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
}

/** Thrown for bytes that are not a well-formed DNS message. */
export class MalformedDnsMessage extends Error {}

/** Compares two names as DNS does: ASCII letters without regard to case. */
export function sameName(a: DnsName, b: DnsName): boolean {
  return a.length === b.length
    && a.every((label, i) => label.toLowerCase() === b[i]!.toLowerCase());
}

/** A name as Wireshark and dns-sd show it: dots between labels, dots inside a label escaped. */
export function nameText(name: DnsName): string {
  return name.map((label) => label.replaceAll("\\", "\\\\").replaceAll(".", "\\.")).join(".");
}

/** Splits a dotted host name (`lab-pc-07.local`, with or without the final dot) into labels. */
export function dottedName(text: string): DnsName {
  return text.replace(/\.$/, "").split(".").filter((label) => label !== "");
}

const encoder = new TextEncoder();

/** Encodes a message for the wire; names are written in full (no compression). */
export function encodeMessage(message: DnsMessage): Uint8Array {
  const out = new ByteWriter();
  out.u16(message.id);
  // QR for a response, and AA: every mDNS response is authoritative (RFC 6762 section 18.4).
  out.u16(message.isResponse ? 0x8400 : 0);
  out.u16(message.questions.length);
  const authorities = message.authorities ?? [];
  out.u16(message.answers.length);
  out.u16(authorities.length);
  out.u16(message.additionals.length);
  for (const question of message.questions) {
    out.name(question.name);
    out.u16(question.type);
    out.u16(CLASS_IN | (question.unicastResponse ? TOP_BIT : 0));
  }
  for (const record of [...message.answers, ...authorities, ...message.additionals]) {
    writeRecord(out, record);
  }
  return out.bytes();
}

function writeRecord(out: ByteWriter, record: DnsRecord): void {
  out.name(record.name);
  out.u16(record.data.type);
  out.u16(CLASS_IN | (record.cacheFlush ? TOP_BIT : 0));
  out.u32(record.ttl);
  const lengthAt = out.reserve16();
  const data = record.data;
  if ("address" in data) {
    out.raw(data.type === RR.A ? ipv4Bytes(data.address) : ipv6Bytes(data.address));
  } else if ("port" in data) {
    out.u16(data.priority);
    out.u16(data.weight);
    out.u16(data.port);
    out.name(data.target);
  } else if ("target" in data) out.name(data.target);
  else if ("entries" in data) {
    // An empty TXT record is one empty string (RFC 6763 section 6.1).
    const entries = data.entries.length === 0 ? [""] : data.entries;
    for (const entry of entries) {
      const bytes = encoder.encode(entry);
      if (bytes.length > 255) throw new RangeError(`TXT entry longer than 255 bytes: ${entry}`);
      out.u8(bytes.length);
      out.raw(bytes);
    }
  } else out.raw(data.bytes);
  out.fill16(lengthAt, out.length - lengthAt - 2);
}

/**
 * Decodes a message received from anyone on the LAN: every length and
 * compression pointer is checked, so hostile bytes throw {@linkcode MalformedDnsMessage}.
 */
export function decodeMessage(bytes: Uint8Array): DnsMessage {
  const input = new ByteReader(bytes);
  const id = input.u16();
  const flags = input.u16();
  const counts = [input.u16(), input.u16(), input.u16(), input.u16()] as const;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const name = input.name();
    const type = input.u16();
    const klass = input.u16();
    questions.push({ name, type, unicastResponse: (klass & TOP_BIT) !== 0 });
  }
  const answers: DnsRecord[] = [];
  const additionals: DnsRecord[] = [];
  for (let i = 0; i < counts[1]; i++) answers.push(readRecord(input));
  // Authority records: what a probe proposes to own.
  const authorities: DnsRecord[] = [];
  for (let i = 0; i < counts[2]; i++) authorities.push(readRecord(input));
  for (let i = 0; i < counts[3]; i++) additionals.push(readRecord(input));
  const isResponse = (flags & 0x8000) !== 0;
  return authorities.length > 0
    ? { id, isResponse, questions, answers, authorities, additionals }
    : { id, isResponse, questions, answers, additionals };
}

function readRecord(input: ByteReader): DnsRecord {
  const name = input.name();
  const type = input.u16();
  const klass = input.u16();
  const ttl = input.u32();
  const length = input.u16();
  const end = input.offset + length;
  if (end > input.bytes.length) throw new MalformedDnsMessage("record data runs past the message");
  let data: RecordData;
  if (type === RR.A && length === 4) data = { type, address: ipv4Text(input.take(4)) };
  else if (type === RR.AAAA && length === 16) data = { type, address: ipv6Text(input.take(16)) };
  else if (type === RR.PTR) data = { type, target: input.name() };
  else if (type === RR.SRV) {
    data = {
      type,
      priority: input.u16(),
      weight: input.u16(),
      port: input.u16(),
      target: input.name(),
    };
  } else if (type === RR.TXT) {
    const entries: string[] = [];
    while (input.offset < end) entries.push(lenientText(input.take(input.u8())));
    data = { type, entries: entries.filter((entry) => entry !== "") };
  } else data = { type, bytes: input.take(length) };
  if (input.offset !== end) {
    throw new MalformedDnsMessage("record data length does not match its content");
  }
  return { name, ttl, cacheFlush: (klass & TOP_BIT) !== 0, data };
}

class ByteWriter {
  #buffer = new Uint8Array(512);
  length = 0;

  #room(n: number): void {
    if (this.length + n <= this.#buffer.length) return;
    const bigger = new Uint8Array(Math.max(this.#buffer.length * 2, this.length + n));
    bigger.set(this.#buffer);
    this.#buffer = bigger;
  }
  u8(value: number): void {
    this.#room(1);
    this.#buffer[this.length++] = value;
  }
  u16(value: number): void {
    this.u8(value >>> 8);
    this.u8(value & 0xff);
  }
  u32(value: number): void {
    this.u16(value >>> 16);
    this.u16(value & 0xffff);
  }
  raw(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.#buffer.set(bytes, this.length);
    this.length += bytes.length;
  }
  name(name: DnsName): void {
    let total = 1;
    for (const label of name) {
      const bytes = encoder.encode(label);
      if (bytes.length === 0 || bytes.length > MAX_LABEL) {
        throw new RangeError(`a DNS label must be 1 to ${MAX_LABEL} bytes: "${label}"`);
      }
      total += bytes.length + 1;
      this.u8(bytes.length);
      this.raw(bytes);
    }
    if (total > MAX_NAME_BYTES) {
      throw new RangeError(`DNS name longer than ${MAX_NAME_BYTES} bytes`);
    }
    this.u8(0);
  }
  reserve16(): number {
    const at = this.length;
    this.u16(0);
    return at;
  }
  fill16(at: number, value: number): void {
    this.#buffer[at] = value >>> 8;
    this.#buffer[at + 1] = value & 0xff;
  }
  bytes(): Uint8Array {
    return this.#buffer.slice(0, this.length);
  }
}

class ByteReader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  take(n: number): Uint8Array {
    if (this.offset + n > this.bytes.length) throw new MalformedDnsMessage("message ends early");
    const slice = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return slice;
  }
  u8(): number {
    return this.take(1)[0]!;
  }
  u16(): number {
    const [a, b] = this.take(2);
    return (a! << 8) | b!;
  }
  u32(): number {
    return this.u16() * 0x10000 + this.u16();
  }
  // A compression pointer must point backwards, so following them always ends.
  name(): DnsName {
    const labels: string[] = [];
    let at = this.offset;
    let resumeAt: number | undefined;
    let total = 1;
    for (;;) {
      if (at >= this.bytes.length) throw new MalformedDnsMessage("name runs past the message");
      const length = this.bytes[at]!;
      if (length === 0) {
        at += 1;
        break;
      }
      if ((length & 0xc0) === 0xc0) {
        if (at + 1 >= this.bytes.length) throw new MalformedDnsMessage("name pointer cut short");
        const target = ((length & 0x3f) << 8) | this.bytes[at + 1]!;
        if (target >= at) throw new MalformedDnsMessage("name pointer does not point backwards");
        resumeAt ??= at + 2;
        at = target;
        continue;
      }
      if (length > MAX_LABEL) throw new MalformedDnsMessage("label longer than 63 bytes");
      if (at + 1 + length > this.bytes.length) {
        throw new MalformedDnsMessage("label runs past the message");
      }
      total += length + 1;
      if (total > MAX_NAME_BYTES) throw new MalformedDnsMessage("name longer than 255 bytes");
      labels.push(lenientText(this.bytes.subarray(at + 1, at + 1 + length)));
      at += 1 + length;
    }
    this.offset = resumeAt ?? at;
    return labels;
  }
}

function ipv4Bytes(address: string): Uint8Array {
  return Uint8Array.from(address.split(".").map(Number));
}

function ipv4Text(bytes: Uint8Array): string {
  return Array.from(bytes).join(".");
}

function ipv6Bytes(address: string): Uint8Array {
  const bare = address.split("%")[0]!;
  const [head, tail] = bare.includes("::")
    ? bare.split("::") as [string, string]
    : [bare, undefined];
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  let words = groups(head);
  if (tail !== undefined) {
    const rest = groups(tail);
    words = [...words, ...Array(8 - words.length - rest.length).fill("0"), ...rest];
  }
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    const value = parseInt(word, 16);
    bytes[i * 2] = value >>> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

function ipv6Text(bytes: Uint8Array): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // The longest run of zero groups becomes "::", as RFC 5952 writes it.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === "0") j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  if (bestStart === -1) return words.join(":");
  return `${words.slice(0, bestStart).join(":")}::${words.slice(bestStart + bestLength).join(":")}`;
}
