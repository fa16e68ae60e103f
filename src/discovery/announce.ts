// A responder for one socklab service: announces it at start (twice, a second
// apart, RFC 6762 section 8.3), answers queries for it and for this host's
// addresses, and says goodbye (TTL 0) when closed. It does not probe for name
// conflicts (section 8.1): two servers given the same --name on one LAN both answer.
import { answerQuery } from "./answer.ts";
import { type DnsMessage, type DnsRecord, nameText, RR, sameName } from "./dns_message.ts";
import {
  MDNS_PORT,
  type MdnsSocket,
  MdnsUnavailable,
  openMdnsSocket,
  type Sender,
} from "./mdns_socket.ts";
import {
  hostName,
  instanceName,
  type ServiceDescription,
  serviceRecords,
} from "./service_records.ts";

/** A running announcement. */
export interface Announcement {
  /** The instance as browsers list it: `Ani._socklab._tcp.local`. */
  readonly instance: string;
  /** The host name it answers for: `lab-pc-07.local`. */
  readonly host: string;
  /** Sends the goodbye and closes the socket; safe to call twice. */
  close(): Promise<void>;
}

/** Where to announce. */
export interface AnnounceOptions {
  readonly service: ServiceDescription;
  /** This host's IPv4 addresses of the interfaces to announce on. */
  readonly interfaces: readonly string[];
  /** Between the two announcements; tests shorten it. @default {1000} */
  readonly repeatMs?: number;
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
  const { service } = options;
  if (options.interfaces.length === 0) {
    throw new MdnsUnavailable("no network interface with an IPv4 address to announce on");
  }
  const records = serviceRecords(service);
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
      }, from);
      return;
    }
    const reply = { id: 0, isResponse: true, questions: [], answers, additionals };
    const shared = answers.some((r) => r.data.type === RR.PTR);
    const unicast = query.questions.every((q) => q.unicastResponse);
    const send = () => void socket.send(reply, unicast ? from : undefined);
    if (!shared) return send();
    later(SHARED_DELAY_MS[0] + Math.random() * (SHARED_DELAY_MS[1] - SHARED_DELAY_MS[0]), send);
  };
  const socket: MdnsSocket = await openMdnsSocket({
    port: MDNS_PORT,
    interfaces: options.interfaces,
    onMessage: (message, from) => respond(message, from),
  });
  const announcement = {
    id: 0,
    isResponse: true,
    questions: [],
    answers: records,
    additionals: [],
  };
  await socket.send(announcement);
  later(options.repeatMs ?? 1000, () => void socket.send(announcement));
  return {
    instance: nameText(instanceName(service)),
    host: nameText(hostName(service)),
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

// Only the instance's own records: the host name and the service type may still be
// answered by the system's responder or by another socklab server on this PC.
function goodbyeRecords(service: ServiceDescription): DnsRecord[] {
  const instance = instanceName(service);
  return serviceRecords(service, true).filter((record) =>
    sameName(record.name, instance)
    || ("target" in record.data && sameName(record.data.target, instance))
  );
}
