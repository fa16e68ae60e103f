// Probing (RFC 6762 section 8.1 and 8.2): before announcing an instance name,
// ask three times, 250 ms apart, whether anyone already answers for it. If a
// host does, or another host probes for it at the same moment with records
// that sort after ours, the name is taken: try "Ani (2)", then "Ani (3)" (the
// renaming RFC 6763 appendix D suggests), so two PCs started with --name Ani
// are both listed and each can be told apart.
import { type DnsMessage, type DnsName, type DnsRecord, RR, sameName } from "./dns_message.ts";

/** How probing hears and speaks; `listen` replaces the previous listener. */
export interface ProbeChannel {
  send(message: DnsMessage): Promise<void>;
  listen(onMessage: ((message: DnsMessage) => void) | undefined): void;
}

/** What to probe for. */
export interface ProbeOptions {
  /** The name asked for, e.g. `Ani`. */
  readonly name: string;
  /** The instance's full name for a label, and the records it would own under it. */
  readonly proposal: (label: string) => { instance: DnsName; records: DnsRecord[] };
  /** Between probes; tests shorten it. @default {250} */
  readonly intervalMs?: number;
}

// Taken names tried before giving up and keeping the last one: a lab has no
// ten servers of one name, and a hostile host answering for every name must
// not hold the server back forever.
const MAX_TRIES = 10;
const MAX_LABEL_BYTES = 63;
const PROBES = 3;

/** Probes until a free name is found and returns it (the asked one when free). */
export async function probeForName(channel: ProbeChannel, options: ProbeOptions): Promise<string> {
  const intervalMs = options.intervalMs ?? 250;
  let label = options.name;
  try {
    for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
      label = attempt === 1 ? options.name : renamed(options.name, attempt);
      if (await nameIsFree(channel, options.proposal(label), intervalMs)) return label;
    }
    return label;
  } finally {
    channel.listen(undefined);
  }
}

async function nameIsFree(
  channel: ProbeChannel,
  proposal: { instance: DnsName; records: DnsRecord[] },
  intervalMs: number,
): Promise<boolean> {
  let taken = false;
  let wake = () => {};
  channel.listen((message) => {
    if (!taken && conflicts(message, proposal.instance, proposal.records)) {
      taken = true;
      wake();
    }
  });
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  // A random start, so that PCs switched on together do not probe in step (section 8.1).
  await pause(Math.random() * intervalMs);
  for (let probe = 0; probe < PROBES && !taken; probe++) {
    await channel.send({
      id: 0,
      isResponse: false,
      questions: [{ name: proposal.instance, type: RR.ANY, unicastResponse: false }],
      answers: [],
      authorities: proposal.records,
      additionals: [],
    });
    if (!taken) await pause(intervalMs);
  }
  return !taken;
}

/**
 * Whether `message` says another host holds, or is about to take, `instance`:
 * a response with a live record of that name other than ours, or a probe for
 * it whose proposal sorts after ours (section 8.2's tie-break; our own probe,
 * looped back, proposes the same records and does not count).
 */
export function conflicts(message: DnsMessage, instance: DnsName, ours: DnsRecord[]): boolean {
  const named = (record: DnsRecord) => sameName(record.name, instance);
  if (message.isResponse) {
    return [...message.answers, ...message.additionals].some((record) =>
      named(record) && record.ttl > 0 && !ours.some((own) => sameData(own, record))
    );
  }
  const asked = message.questions.some((question) => sameName(question.name, instance));
  const theirs = (message.authorities ?? []).filter(named);
  if (!asked || theirs.length === 0) return false;
  return compareProposals(theirs, ours.filter(named)) > 0;
}

// Section 8.2: records sorted by type, then compared by type and data; the later one wins.
function compareProposals(theirs: DnsRecord[], ours: DnsRecord[]): number {
  const sorted = (records: DnsRecord[]) =>
    records.map(sortKey).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const [a, b] = [sorted(theirs), sorted(ours)];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! > b[i]! ? 1 : -1;
  }
  return a.length - b.length;
}

// Type first (as two digits' worth of padding), then what the record says.
function sortKey(record: DnsRecord): string {
  const data = record.data;
  const type = String(data.type).padStart(5, "0");
  if ("port" in data) {
    const port = String(data.port).padStart(5, "0");
    return `${type} ${port} ${data.target.join(".").toLowerCase()}`;
  }
  if ("entries" in data) return `${type} ${data.entries.join("\u0000")}`;
  if ("address" in data) return `${type} ${data.address}`;
  if ("target" in data) return `${type} ${data.target.join(".").toLowerCase()}`;
  return type;
}

function sameData(a: DnsRecord, b: DnsRecord): boolean {
  return a.data.type === b.data.type && sortKey(a) === sortKey(b);
}

/** `Ani` as its `attempt`th choice: `Ani (2)`, cut so the label stays within 63 bytes. */
export function renamed(name: string, attempt: number): string {
  const suffix = ` (${attempt})`;
  const encoder = new TextEncoder();
  let base = name;
  while (encoder.encode(base + suffix).length > MAX_LABEL_BYTES) {
    base = [...base].slice(0, -1).join("");
  }
  return base + suffix;
}
