// Soak workloads shared by tests/scripts/soak_test.ts and bench/soak.ts: many clients
// echoing random payloads, and a chat room where everyone talks at once. They
// count rather than throw, so the bench can print figures; tests assert on them.
import type { FramingName } from "../../src/framing/mod.ts";
import { connect, type Connection } from "../../src/tcp/tcp_client.ts";

/** What a soak run sent and what came back. */
export interface SoakFigures {
  /** Messages sent (echo) or deliveries owed (chat: each message times the other clients). */
  sent: number;
  /** Correct replies or deliveries, in order. */
  received: number;
  /** Owed but never arrived. */
  lost: number;
  /** Arrived but wrong: other bytes, out of order, or twice. */
  wrong: number;
  /** The first few problems, for a failure message. */
  problems: string[];
}

const REPLY_MS = 15_000;
const PROBLEMS_KEPT = 5;
// Printable ASCII, so a line payload never holds a newline or ends in CR.
const FIRST_PRINTABLE = 0x20;
const PRINTABLE_COUNT = 0x7f - 0x20;

function figures(): SoakFigures {
  return { sent: 0, received: 0, lost: 0, wrong: 0, problems: [] };
}

function note(into: SoakFigures, problem: string): void {
  if (into.problems.length < PROBLEMS_KEPT) into.problems.push(problem);
}

/** Adds `part` into `total`. */
export function addFigures(total: SoakFigures, part: SoakFigures): void {
  total.sent += part.sent;
  total.received += part.received;
  total.lost += part.lost;
  total.wrong += part.wrong;
  for (const problem of part.problems) note(total, problem);
}

// One generator, so the payload of message `index` of client `client` can be
// made again to check the reply instead of keeping every payload in memory.
function payloadFor(
  framing: FramingName,
  client: number,
  index: number,
  maxSize: number,
): Uint8Array {
  let x = (client * 1_000_003 + index * 7919 + 1) >>> 0;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const size = next() % (maxSize + 1);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const value = next();
    out[i] = framing === "line" ? FIRST_PRINTABLE + (value % PRINTABLE_COUNT) : value & 0xff;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Options for {@linkcode echoSoak}. */
export interface EchoSoakOptions {
  port: number;
  framing: FramingName;
  clients: number;
  messages: number;
  /** Largest random payload; sizes run from 0 to this. */
  maxSize: number;
  /** At most this many replies a client may be owed before it sends more. */
  window?: number;
}

/**
 * Runs `clients` concurrent clients against an echo server, each sending
 * `messages` random payloads and checking every reply, in order.
 */
export async function echoSoak(options: EchoSoakOptions): Promise<SoakFigures> {
  const total = figures();
  const runs = Array.from({ length: options.clients }, (_, client) => echoClient(options, client));
  for (const part of await Promise.all(runs)) addFigures(total, part);
  return total;
}

async function echoClient(options: EchoSoakOptions, client: number): Promise<SoakFigures> {
  const { port, framing, messages, maxSize, window = 64 } = options;
  const result = figures();
  result.sent = messages;
  let connection: Connection;
  try {
    connection = await connect({ port, framing, timeoutMs: REPLY_MS });
  } catch (error) {
    result.lost = messages;
    note(result, `client ${client}: ${(error as Error).message}`);
    return result;
  }
  let sent = 0;
  const sendUpTo = (limit: number) => {
    for (; sent < Math.min(limit, messages); sent++) {
      connection.send(payloadFor(framing, client, sent, maxSize));
    }
  };
  try {
    sendUpTo(window);
    for (let index = 0; index < messages; index++) {
      const reply = await connection.receive(REPLY_MS);
      if (reply === null) {
        note(result, `client ${client}: closed after ${index} of ${messages} replies`);
        break;
      }
      if (sameBytes(reply.bytes, payloadFor(framing, client, index, maxSize))) result.received++;
      else {
        result.wrong++;
        note(result, `client ${client}: reply ${index} differs (${reply.size} bytes)`);
      }
      sendUpTo(index + 1 + window);
    }
    await connection.end();
    const extra = await connection.receive(REPLY_MS);
    if (extra !== null) {
      result.wrong++;
      note(result, `client ${client}: an extra reply after the last (${extra.size} bytes)`);
    }
  } catch (error) {
    note(result, `client ${client}: ${(error as Error).message}`);
  } finally {
    connection.close();
    await connection.closed;
  }
  result.lost = messages - result.received - result.wrong;
  return result;
}

/** Options for {@linkcode chatSoak}. */
export interface ChatSoakOptions {
  port: number;
  clients: number;
  messages: number;
  /** Messages each client sends before all wait for them to arrive everywhere. */
  round?: number;
}

/**
 * Runs a chat room of `clients` where each sends `messages` lines, and checks
 * that every line reaches every other client exactly once, in per-sender order.
 * Sending goes in rounds so no client is ever far behind, which keeps the
 * server's per-client queue bound out of the way of a correct run.
 */
export async function chatSoak(options: ChatSoakOptions): Promise<SoakFigures> {
  const { port, clients, messages, round = 50 } = options;
  const total = figures();
  const owed = messages * (clients - 1);
  total.sent = owed * clients;
  const connections: Connection[] = [];
  try {
    const names: string[] = [];
    for (let i = 0; i < clients; i++) {
      const connection = await connect({ port, timeoutMs: REPLY_MS });
      connections.push(connection);
      const welcome = (await connection.receive(REPLY_MS))?.text ?? "";
      const name = welcome.match(/you are (guest-\d+)/)?.[1];
      if (!name) throw new Error(`client ${i} got '${welcome}' instead of a welcome`);
      names.push(name);
    }
    // Everyone is in the room once every welcome has arrived: each message now goes to all.
    const counts = connections.map(() => 0);
    const parts = connections.map(() => figures());
    let stop = false;
    const readers = connections.map(async (connection, me) => {
      const part = parts[me]!;
      const next = names.map(() => 0);
      try {
        while (counts[me]! < owed && !stop) {
          const text = (await connection.receive(REPLY_MS))?.text;
          if (text === undefined) {
            note(part, `client ${me} was closed after ${counts[me]} deliveries`);
            return;
          }
          if (text.startsWith("* ")) continue;
          const match = text.match(/^<(guest-\d+)> s(\d+) q(\d+)$/);
          const from = match ? names.indexOf(match[1]!) : -1;
          if (!match || from < 0 || from === me || Number(match[2]) !== from) {
            part.wrong++;
            note(part, `client ${me} got '${text}'`);
            continue;
          }
          const seq = Number(match[3]);
          if (seq !== next[from]) {
            part.wrong++;
            note(part, `client ${me}: from ${from} got q${seq}, expected q${next[from]}`);
          } else part.received++;
          next[from] = seq + 1;
          counts[me]!++;
        }
      } catch (error) {
        note(part, `client ${me}: ${(error as Error).message}`);
      }
    });
    for (let start = 0; start < messages && !stop; start += round) {
      const end = Math.min(messages, start + round);
      for (let seq = start; seq < end; seq++) {
        connections.forEach((connection, sender) => connection.send(`s${sender} q${seq}`));
      }
      const due = end * (clients - 1);
      const deadline = Date.now() + REPLY_MS;
      while (counts.some((count) => count < due)) {
        if (Date.now() > deadline) {
          note(total, `round at q${start}: deliveries ${counts.join(",")} of ${due}`);
          stop = true;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    stop = true;
    // Readers still blocked in receive() end when their connections close below.
    for (const connection of connections) connection.close();
    await Promise.all(readers);
    for (const part of parts) addFigures(total, part);
  } catch (error) {
    note(total, (error as Error).message);
  } finally {
    for (const connection of connections) {
      connection.close();
      await connection.closed;
    }
  }
  total.lost = total.sent - total.received - total.wrong;
  return total;
}
