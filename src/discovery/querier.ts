// A socket to ask questions from. On port 5353 it hears every multicast answer;
// where another program holds 5353 without sharing it, an ephemeral port still
// works: responders answer such a one-shot querier by unicast (RFC 6762 section 5.1).
import { withZone } from "./arrival_link.ts";
import { type DnsMessage, type DnsQuestion, type DnsRecord, RR } from "./dns_message.ts";
import type { MdnsLink } from "./local_host.ts";
import {
  MDNS_PORT,
  type MdnsSocket,
  MdnsUnavailable,
  openMdnsSocket,
  type Sender,
} from "./mdns_socket.ts";

/** An open querier. */
export interface Querier {
  ask(questions: DnsQuestion[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens a querier that passes every record it hears (answers and additionals)
 * to `onRecords`, with who sent them and on which interface, when known.
 */
export async function openQuerier(
  links: readonly MdnsLink[],
  onRecords: (records: DnsRecord[], from: Sender) => void,
): Promise<Querier> {
  if (links.length === 0) {
    throw new MdnsUnavailable("no network interface with an IP address to ask on");
  }
  const onMessage = (message: DnsMessage, from: Sender) => {
    if (!message.isResponse) return;
    // A link-local address is only usable with the zone of the link it was learnt on.
    const records = [...message.answers, ...message.additionals].map((record) =>
      record.data.type === RR.AAAA && "address" in record.data
        ? { ...record, data: { ...record.data, address: withZone(record.data.address, from.link) } }
        : record
    );
    onRecords(records, from);
  };
  let socket: MdnsSocket;
  try {
    socket = await openMdnsSocket({ port: MDNS_PORT, links, onMessage });
  } catch (error) {
    if (!(error instanceof MdnsUnavailable) || !/held by/.test(error.message)) throw error;
    socket = await openMdnsSocket({ port: 0, links, onMessage });
  }
  // A one-shot querier's id is echoed in unicast answers; on 5353 it must be 0 (section 18.1).
  const id = socket.port === MDNS_PORT ? 0 : Math.floor(Math.random() * 0xffff);
  return {
    ask: (questions) =>
      socket.send({ id, isResponse: false, questions, answers: [], additionals: [] }),
    close: () => socket.close(),
  };
}
