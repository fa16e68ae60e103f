// Which of our records answer a query (RFC 6762 section 6), and which go along
// as additional records so a browser needs no second round trip (RFC 6763 section 12).
import { type DnsMessage, type DnsRecord, RR, sameName } from "./dns_message.ts";

/** What to send back: empty `answers` means stay silent. */
export interface Answer {
  readonly answers: DnsRecord[];
  readonly additionals: DnsRecord[];
}

/** Picks the answer to `query` from `records` (all of this host's). */
export function answerQuery(records: readonly DnsRecord[], query: DnsMessage): Answer {
  if (query.isResponse) return { answers: [], additionals: [] };
  const answers: DnsRecord[] = [];
  for (const question of query.questions) {
    for (const record of records) {
      const typeMatches = question.type === RR.ANY || question.type === record.data.type;
      if (!typeMatches || !sameName(record.name, question.name)) continue;
      // Known-answer suppression (RFC 6762 section 7.1): the asker already holds it.
      if (query.answers.some((known) => sameRecord(known, record) && known.ttl > record.ttl / 2)) {
        continue;
      }
      if (!answers.includes(record)) answers.push(record);
    }
  }
  const additionals: DnsRecord[] = [];
  const add = (record: DnsRecord) => {
    if (!answers.includes(record) && !additionals.includes(record)) additionals.push(record);
  };
  for (const answer of answers) {
    const data = answer.data;
    if (data.type === RR.PTR && "target" in data) {
      for (const record of records) {
        if (sameName(record.name, data.target) && record.data.type !== RR.PTR) add(record);
      }
    }
  }
  for (const record of [...answers, ...additionals]) {
    const data = record.data;
    if (data.type === RR.SRV && "target" in data) {
      for (const host of records) {
        const isAddress = host.data.type === RR.A || host.data.type === RR.AAAA;
        if (isAddress && sameName(host.name, data.target)) add(host);
      }
    }
  }
  return { answers, additionals };
}

function sameRecord(a: DnsRecord, b: DnsRecord): boolean {
  if (a.data.type !== b.data.type || !sameName(a.name, b.name)) return false;
  const [x, y] = [a.data, b.data];
  if ("target" in x && "target" in y) return sameName(x.target, y.target) && !("port" in x);
  return false;
}
