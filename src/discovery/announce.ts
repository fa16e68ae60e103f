// A responder for one socklab service: probes for its instance name and takes
// "Ani (2)" where "Ani" is taken (RFC 6762 section 8.1, probe.ts), announces it
// (twice, a second apart, section 8.3), answers queries for it and for this
// host's addresses, over IPv4 and IPv6, each interface with its own addresses
// (section 15), and says goodbye (TTL 0) when closed.
import { answerQuery } from "./answer.ts";
import { type DnsMessage, type DnsRecord, nameText, RR, sameName } from "./dns_message.ts";
import type { MdnsLink } from "./local_host.ts";
import {
  MDNS_PORT,
  type MdnsSocket,
  MdnsUnavailable,
  openMdnsSocket,
  type Sender,
} from "./mdns_socket.ts";
import { probeForName } from "./probe.ts";
import {
  hostName,
  instanceName,
  type ServiceDescription,
  serviceRecords,
} from "./service_records.ts";

/** A running announcement. */
export interface Announcement {
  /** The instance name it won: the one asked for, or `Ani (2)` where that was taken. */
  readonly name: string;
  /** The instance as browsers list it: `Ani._socklab._tcp.local`. */
  readonly instance: string;
  /** The host name it answers for: `lab-pc-07.local`. */
  readonly host: string;
  /** Why IPv4 or IPv6 is not used while the other is, one line each; usually empty. */
  readonly problems: readonly string[];
  /** Sends the goodbye and closes the socket; safe to call twice. */
  close(): Promise<void>;
}

/** Where to announce. */
export interface AnnounceOptions {
  /** Its `addresses` are ignored: each interface answers with its own `answered`. */
  readonly service: ServiceDescription;
  /** The interfaces to announce on. */
  readonly interfaces: readonly MdnsLink[];
  /** Between the two announcements; tests shorten it. @default {1000} */
  readonly repeatMs?: number;
  /** Between probes for the name; tests shorten it. @default {250} */
  readonly probeIntervalMs?: number;
}

// Legacy unicast answers (a one-shot querier on another port) must not be cached long (section 6.7).
const LEGACY_UNICAST_TTL = 10;
// Shared records wait a random 20-120 ms so that many responders do not answer at once (section 6).
const SHARED_DELAY_MS = [20, 120] as const;
/**
 * Most answers a second. Each is several times larger than the query that
 * asked, and a query's source can be forged: answering a flood would make the
 * server a reflector aimed at a classmate (and a pile of timers). A class of
 * 40 running --find at once asks far fewer, and a multicast answer serves
 * every browser that hears it.
 */
export const MAX_ANSWERS_PER_SECOND = 50;

/**
 * Starts announcing `service`.
 * @throws {MdnsUnavailable} (one line) when port 5353 or multicast cannot be used here.
 */
export async function announce(options: AnnounceOptions): Promise<Announcement> {
  if (options.interfaces.length === 0) {
    throw new MdnsUnavailable(
      "no network interface with an address this server listens on (on an IPv6-only LAN, listen on ::)",
    );
  }
  let service = options.service;
  let recordsOf = new Map<MdnsLink, DnsRecord[]>();
  let everyRecord: DnsRecord[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) run();
    }, ms);
    timers.add(timer);
  };
  let windowStartMs = -Infinity;
  let answersInWindow = 0;
  const mayAnswer = () => {
    const now = Date.now();
    if (now - windowStartMs >= 1000) {
      windowStartMs = now;
      answersInWindow = 0;
    }
    return answersInWindow++ < MAX_ANSWERS_PER_SECOND;
  };
  const respond = (query: DnsMessage, from: Sender) => {
    const records = (from.link && recordsOf.get(from.link)) || everyRecord;
    const { answers, additionals } = answerQuery(records, query);
    if (answers.length === 0 || !mayAnswer()) return;
    if (from.port !== MDNS_PORT) {
      const capped = (list: typeof answers) =>
        list.map((r) => ({ ...r, cacheFlush: false, ttl: Math.min(r.ttl, LEGACY_UNICAST_TTL) }));
      void socket.send({
        id: query.id,
        isResponse: true,
        questions: query.questions,
        answers: capped(answers),
        additionals: capped(additionals),
      }, { to: from });
      return;
    }
    const unicast = query.questions.every((q) => q.unicastResponse);
    // Multicast goes back on the interface and IP version the query came by, with that
    // interface's addresses; where the interface cannot be told, each gets its own.
    const send = () => {
      if (unicast) return void socket.send(reply(answers, additionals), { to: from });
      for (const link of from.link ? [from.link] : options.interfaces) {
        const own = answerQuery(recordsOf.get(link) ?? [], query);
        if (own.answers.length > 0) {
          void socket.send(reply(own.answers, own.additionals), {
            links: [link],
            family: from.family,
          });
        }
      }
    };
    const shared = answers.some((r) => r.data.type === RR.PTR);
    if (!shared) return send();
    later(SHARED_DELAY_MS[0] + Math.random() * (SHARED_DELAY_MS[1] - SHARED_DELAY_MS[0]), send);
  };
  // Silent while probing: the name is not ours yet.
  let probing: ((message: DnsMessage) => void) | undefined;
  const socket: MdnsSocket = await openMdnsSocket({
    port: MDNS_PORT,
    links: options.interfaces,
    onMessage: (message, from) => (probing ? probing(message) : respond(message, from)),
  });
  const name = await probeForName({
    send: (message) => socket.send(message),
    listen: (listener) => (probing = listener),
  }, {
    name: options.service.instance,
    intervalMs: options.probeIntervalMs,
    proposal: (label) => {
      const instance = instanceName({ ...options.service, instance: label });
      const records = serviceRecords({ ...options.service, instance: label, addresses: [] });
      return { instance, records: records.filter((record) => sameName(record.name, instance)) };
    },
  });
  service = { ...options.service, instance: name };
  recordsOf = new Map(
    options.interfaces.map((
      link,
    ) => [link, serviceRecords({ ...service, addresses: link.answered })]),
  );
  // Where the interface a query came by cannot be told, every address of the PC.
  everyRecord = serviceRecords({
    ...service,
    addresses: [...new Set(options.interfaces.flatMap((link) => link.answered))],
  });
  const announceEverywhere = async () => {
    for (const [link, records] of recordsOf) {
      await socket.send(reply(records, []), { links: [link] });
    }
  };
  await announceEverywhere();
  later(options.repeatMs ?? 1000, () => void announceEverywhere());
  return {
    name,
    instance: nameText(instanceName(service)),
    host: nameText(hostName(service)),
    problems: socket.problems,
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await socket.send({
        id: 0,
        isResponse: true,
        questions: [],
        answers: goodbyeRecords(service),
        additionals: [],
      });
      await socket.close();
    },
  };
}

function reply(answers: DnsRecord[], additionals: DnsRecord[]): DnsMessage {
  return { id: 0, isResponse: true, questions: [], answers, additionals };
}

// Only the instance's own records: the host name and the service type may still be
// answered by the system's responder or by another socklab server on this PC.
function goodbyeRecords(service: ServiceDescription): DnsRecord[] {
  const instance = instanceName(service);
  return serviceRecords(service, true).filter((record) =>
    sameName(record.name, instance)
    || ("target" in record.data && sameName(record.data.target, instance))
  );
}
