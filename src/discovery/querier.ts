// A socket to ask questions from. On port 5353 it hears every multicast answer;
// where another program holds 5353 without sharing it, an ephemeral port still
// works: responders answer such a one-shot querier by unicast (RFC 6762 section 5.1).
import type { DnsMessage, DnsQuestion, DnsRecord } from "./dns_message.ts";
import { MDNS_PORT, type MdnsSocket, MdnsUnavailable, openMdnsSocket } from "./mdns_socket.ts";

/** An open querier. */
export interface Querier {
  ask(questions: DnsQuestion[]): Promise<void>;
  close(): Promise<void>;
}

/** Opens a querier that passes every record it hears (answers and additionals) to `onRecords`. */
export async function openQuerier(
  interfaces: readonly string[],
  onRecords: (records: DnsRecord[], from: string) => void,
): Promise<Querier> {
  if (interfaces.length === 0) {
    throw new MdnsUnavailable("no network interface with an IPv4 address to ask on");
  }
  const onMessage = (message: DnsMessage, from: { address: string }) => {
    if (message.isResponse) onRecords([...message.answers, ...message.additionals], from.address);
  };
  let socket: MdnsSocket;
  try {
    socket = await openMdnsSocket({ port: MDNS_PORT, interfaces, onMessage });
  } catch (error) {
    if (!(error instanceof MdnsUnavailable) || !/held by/.test(error.message)) throw error;
    socket = await openMdnsSocket({ port: 0, interfaces, onMessage });
  }
  // A one-shot querier's id is echoed in unicast answers; on 5353 it must be 0 (section 18.1).
  const id = socket.port === MDNS_PORT ? 0 : Math.floor(Math.random() * 0xffff);
  return {
    ask: (questions) =>
      socket.send({ id, isResponse: false, questions, answers: [], additionals: [] }),
    close: () => socket.close(),
  };
}
