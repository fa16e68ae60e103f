// Lists the socklab servers of one protocol on the LAN: asks for the service
// type, then for whatever the answers left out (SRV and TXT of an instance, the
// addresses of its host), and gathers everything heard until the time is up.
import { type DnsName, type DnsRecord, nameText, RR, sameName } from "./dns_message.ts";
import type { MdnsLink } from "./local_host.ts";
import { openQuerier } from "./querier.ts";
import { type ServiceProtocol, serviceType } from "./service_records.ts";

/** One server found, with every address it was seen at. */
export interface FoundServer {
  /** The instance name, e.g. `Ani` or `lab-pc-07 echo`. */
  readonly name: string;
  readonly protocol: ServiceProtocol;
  /** Its host, e.g. `lab-pc-07.local`. */
  readonly host: string;
  /** IPv4 first. */
  readonly addresses: string[];
  readonly port: number;
  /** The TXT keys: `mode`, `framing`, `tls` (fingerprint), `version`. */
  readonly txt: Record<string, string>;
}

/** What to look for, and how long. */
export interface BrowseOptions {
  readonly protocol: ServiceProtocol;
  readonly timeoutMs: number;
  /** The interfaces to ask on. */
  readonly interfaces: readonly MdnsLink[];
}

// Asked again this often for what is still missing; a first answer may be lost on Wi-Fi.
const REASK_MS = 700;
// Records kept at most; each new one is compared with all kept, so this also bounds the work.
const MAX_RECORDS = 2048;

/** Browses for `options.timeoutMs` and returns the servers found, sorted by name. */
export async function browse(options: BrowseOptions): Promise<FoundServer[]> {
  const type = serviceType(options.protocol);
  const heard: DnsRecord[] = [];
  const senders = new Map<string, string>();
  const querier = await openQuerier(options.interfaces, (records, from) => {
    for (const record of records) {
      // Anyone may answer, a classmate's flood included: what a LAN holds fits well within.
      if (heard.length >= MAX_RECORDS) break;
      remember(heard, record);
      if (record.data.type === RR.SRV) {
        senders.set(nameText(record.name).toLowerCase(), from.address);
      }
    }
  });
  try {
    const deadline = Date.now() + options.timeoutMs;
    await querier.ask([{ name: type, type: RR.PTR, unicastResponse: false }]);
    while (Date.now() < deadline) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(REASK_MS, deadline - Date.now()))
      );
      if (Date.now() >= deadline) break;
      const missing = missingQuestions(heard, type);
      await querier.ask(
        missing.length > 0 ? missing : [{ name: type, type: RR.PTR, unicastResponse: false }],
      );
    }
  } finally {
    await querier.close();
  }
  return assemble(heard, type, options.protocol, senders);
}

// A goodbye (TTL 0) removes what it names; anything else replaces its older copy.
function remember(heard: DnsRecord[], record: DnsRecord): void {
  const same = (known: DnsRecord) =>
    known.data.type === record.data.type && sameName(known.name, record.name)
    && sameData(known, record);
  const at = heard.findIndex(same);
  if (at !== -1) heard.splice(at, 1);
  if (record.ttl > 0) heard.push(record);
}

function sameData(a: DnsRecord, b: DnsRecord): boolean {
  const [x, y] = [a.data, b.data];
  if ("address" in x && "address" in y) return x.address === y.address;
  if ("port" in x && "port" in y) return x.port === y.port && sameName(x.target, y.target);
  if ("target" in x && "target" in y) return sameName(x.target, y.target);
  // One TXT and one SRV per instance: a new one replaces the old.
  return x.type === RR.TXT || x.type === RR.SRV;
}

function instancesOf(heard: DnsRecord[], type: DnsName): DnsName[] {
  return heard.flatMap((
    r,
  ) => (sameName(r.name, type) && "target" in r.data ? [r.data.target] : []));
}

function missingQuestions(heard: DnsRecord[], type: DnsName) {
  const questions = [];
  for (const instance of instancesOf(heard, type)) {
    const srv = heard.find((r) => r.data.type === RR.SRV && sameName(r.name, instance));
    if (!srv) questions.push({ name: instance, type: RR.SRV, unicastResponse: false });
    if (!heard.some((r) => r.data.type === RR.TXT && sameName(r.name, instance))) {
      questions.push({ name: instance, type: RR.TXT, unicastResponse: false });
    }
    if (srv && "target" in srv.data) {
      const host = srv.data.target;
      if (
        !heard.some((r) =>
          (r.data.type === RR.A || r.data.type === RR.AAAA) && sameName(r.name, host)
        )
      ) {
        questions.push({ name: host, type: RR.A, unicastResponse: false });
        questions.push({ name: host, type: RR.AAAA, unicastResponse: false });
      }
    }
  }
  return questions;
}

function assemble(
  heard: DnsRecord[],
  type: DnsName,
  protocol: ServiceProtocol,
  senders: Map<string, string>,
): FoundServer[] {
  const found = new Map<string, FoundServer>();
  for (const instance of instancesOf(heard, type)) {
    const key = nameText(instance).toLowerCase();
    if (found.has(key)) continue;
    const srv = heard.find((r) => r.data.type === RR.SRV && sameName(r.name, instance));
    if (!srv || srv.data.type !== RR.SRV || !("port" in srv.data)) continue;
    const host = srv.data.target;
    const addresses = heard.flatMap((r) =>
      (r.data.type === RR.A || r.data.type === RR.AAAA) && "address" in r.data
        && sameName(r.name, host)
        ? [r.data.address]
        : []
    );
    // A responder that sent no address record was still heard from somewhere.
    const sender = senders.get(key);
    if (addresses.length === 0 && sender) addresses.push(sender);
    // A responder may also answer on its loopback (avahi in a namespace did, with 127.0.0.1):
    // useless to another PC, and this PC has its LAN address too.
    const reachable = addresses.filter((a) => !isLoopback(a));
    const txt: Record<string, string> = {};
    const txtRecord = heard.find((r) => r.data.type === RR.TXT && sameName(r.name, instance));
    if (txtRecord && "entries" in txtRecord.data) {
      for (const entry of txtRecord.data.entries) {
        const at = entry.indexOf("=");
        txt[at === -1 ? entry : entry.slice(0, at)] = at === -1 ? "" : entry.slice(at + 1);
      }
    }
    found.set(key, {
      name: instance[0] ?? "",
      protocol,
      host: nameText(host),
      addresses: [...new Set(reachable.length > 0 ? reachable : addresses)].sort((a, b) =>
        Number(a.includes(":")) - Number(b.includes(":"))
      ),
      port: srv.data.port,
      txt,
    });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1";
}
