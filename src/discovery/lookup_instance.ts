// One socklab server by its instance name ("Ani", "lab-pc-07 echo"): asks for
// that instance's SRV record directly rather than browsing the whole service
// type, so the usual answer (SRV with the host's addresses as additionals)
// arrives in one round trip and the user waits a fraction of a second, not the
// whole browse. DNS compares names without regard to case, so "ani" finds "Ani".
import { type DnsName, type DnsQuestion, type DnsRecord, RR, sameName } from "./dns_message.ts";
import type { MdnsLink } from "./local_host.ts";
import { openQuerier } from "./querier.ts";
import { type ServiceProtocol, serviceType } from "./service_records.ts";

/** One server that answered for the name. */
export interface InstanceFound {
  /** The name as the server spells it. */
  readonly name: string;
  /** Its host, e.g. `lab-pc-07.local`. */
  readonly host: string;
  /** IPv4 first; may be empty when its host's addresses did not arrive in time. */
  readonly addresses: string[];
  readonly port: number;
}

/** What to look up, where, and for how long. */
export interface InstanceLookupOptions {
  readonly protocol: ServiceProtocol;
  readonly name: string;
  readonly timeoutMs: number;
  /** The interfaces to ask on. */
  readonly interfaces: readonly MdnsLink[];
  /**
   * How long to go on listening after a first complete answer, for a second
   * server of the same name (unique records are answered at once, RFC 6762
   * section 6, so a namesake on the LAN answers about as fast). @default {300}
   */
  readonly graceMs?: number;
}

// Asked again this often while nothing complete has come; a first answer may be lost on Wi-Fi.
const REASK_MS = 500;
// Far more namesakes and addresses than a LAN has; the rest is not kept.
const MAX_SERVERS = 16;
const MAX_ADDRESSES = 256;

/**
 * Every server that answers for `options.name`, one per host and port:
 * empty when none did within `timeoutMs`, two or more when namesakes did.
 */
export async function lookupInstance(options: InstanceLookupOptions): Promise<InstanceFound[]> {
  const instance: DnsName = [options.name, ...serviceType(options.protocol)];
  const heard: DnsRecord[] = [];
  const senders = new Map<string, string>();
  let addressCount = 0;
  let wake: () => void = () => {};
  const querier = await openQuerier(options.interfaces, (records, from) => {
    let news = false;
    for (const record of records) {
      if (record.ttl === 0) continue;
      const isOurs = record.data.type === RR.SRV && sameName(record.name, instance);
      const isAddress = record.data.type === RR.A || record.data.type === RR.AAAA;
      // Anyone may answer, a classmate's flood included: keep what the answer needs, bounded.
      if (isOurs && senders.size < MAX_SERVERS && !senders.has(srvKey(record))) {
        heard.push(record);
        senders.set(srvKey(record), from.address);
        news = true;
      } else if (isAddress && addressCount < MAX_ADDRESSES) {
        heard.push(record);
        addressCount++;
        news = true;
      }
    }
    if (news) wake();
  });
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, Math.max(0, ms));
      timers.add(timer);
      wake = () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve();
      };
    });
  try {
    const deadline = Date.now() + options.timeoutMs;
    let settleBy = Infinity;
    let nextAskAt = 0;
    while (Date.now() < Math.min(deadline, settleBy)) {
      const found = assemble(heard, instance, senders);
      if (found.some((server) => server.addresses.length > 0) && settleBy === Infinity) {
        settleBy = Date.now() + (options.graceMs ?? 300);
      }
      if (Date.now() >= nextAskAt && settleBy === Infinity) {
        await querier.ask(questionsFor(instance, found));
        nextAskAt = Date.now() + REASK_MS;
      }
      await sleep(Math.min(deadline, settleBy, nextAskAt) - Date.now());
    }
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await querier.close();
  }
  return assemble(heard, instance, senders);
}

function srvKey(record: DnsRecord): string {
  const data = record.data;
  return data.type === RR.SRV && "port" in data
    ? `${data.target.join(".").toLowerCase()}:${data.port}`
    : "";
}

function questionsFor(instance: DnsName, found: InstanceFound[]): DnsQuestion[] {
  const questions: DnsQuestion[] = [{ name: instance, type: RR.SRV, unicastResponse: false }];
  for (const server of found) {
    if (server.addresses.length > 0) continue;
    const host = server.host.split(".");
    questions.push({ name: host, type: RR.A, unicastResponse: false });
    questions.push({ name: host, type: RR.AAAA, unicastResponse: false });
  }
  return questions;
}

function assemble(
  heard: DnsRecord[],
  instance: DnsName,
  senders: Map<string, string>,
): InstanceFound[] {
  const found = new Map<string, InstanceFound>();
  for (const record of heard) {
    const data = record.data;
    if (data.type !== RR.SRV || !("port" in data) || !sameName(record.name, instance)) continue;
    const key = srvKey(record);
    if (found.has(key)) continue;
    const addresses = new Set<string>();
    for (const host of heard) {
      const isAddress = host.data.type === RR.A || host.data.type === RR.AAAA;
      if (isAddress && "address" in host.data && sameName(host.name, data.target)) {
        addresses.add(host.data.address);
      }
    }
    // A responder may also name its loopback address: useless from another PC.
    const reachable = [...addresses].filter((a) => !a.startsWith("127.") && a !== "::1");
    const sender = senders.get(key);
    if (reachable.length === 0 && sender !== undefined) reachable.push(sender);
    found.set(key, {
      name: record.name[0] ?? "",
      host: data.target.join("."),
      addresses: reachable.sort((a, b) => Number(a.includes(":")) - Number(b.includes(":"))),
      port: data.port,
    });
  }
  return [...found.values()];
}
