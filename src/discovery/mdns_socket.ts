// The UDP sockets on the multicast DNS port: one for IPv4 joined to
// 224.0.0.251 and one for IPv6 joined to ff02::fb, each on every chosen
// interface. node:dgram, which both runtimes provide, is the one API of both
// with multicast membership and SO_REUSEADDR.
import dgram from "node:dgram";
import { arrivalLink, withZone } from "./arrival_link.ts";
import { decodeMessage, type DnsMessage, encodeMessage } from "./dns_message.ts";
import type { MdnsLink } from "./local_host.ts";

/** Where multicast DNS lives (RFC 6762 section 3). */
export const MDNS_PORT = 5353;
export const MDNS_GROUP_V4 = "224.0.0.251";
export const MDNS_GROUP_V6 = "ff02::fb";

/** Where a message came from. */
export interface Sender {
  /** With the `%zone` of the link it came by when it is IPv6 link-local and the link is known. */
  readonly address: string;
  readonly port: number;
  /** 4 or 6: the IP version it came by. */
  readonly family: 4 | 6;
  /** The interface it arrived on, when that can be told (see arrival_link.ts). */
  readonly link?: MdnsLink;
}

/** The open sockets. */
export interface MdnsSocket {
  /** The local port: 5353, or an ephemeral one for a one-shot querier (RFC 6762 section 5.1). */
  readonly port: number;
  /**
   * Multicasts `message` on every link (or those of `where.links`), over IPv4
   * and IPv6 where each works (or only `where.family`), or unicasts it to `where.to`.
   */
  send(message: DnsMessage, where?: Where): Promise<void>;
  /** Why one IP version is not used while the other is, in one line each; usually empty. */
  readonly problems: readonly string[];
  /** Closes the sockets; safe to call twice. */
  close(): Promise<void>;
}

/** Where a message goes: by default, multicast on every link over both IP versions. */
export interface Where {
  readonly to?: Sender;
  readonly links?: readonly MdnsLink[];
  readonly family?: 4 | 6;
}

/** How to open them. */
export interface MdnsSocketOptions {
  /** 5353 to answer and to hear every announcement; 0 for a querier that only asks. */
  readonly port: number;
  /** The interfaces to work on. */
  readonly links: readonly MdnsLink[];
  /** Called for each well-formed message; malformed ones are dropped. */
  readonly onMessage: (message: DnsMessage, from: Sender) => void;
}

/** Why multicast DNS cannot be used here, as one line. */
export class MdnsUnavailable extends Error {}

// One socket of one IP version, with the links it joined the group on.
interface FamilySocket {
  readonly socket: dgram.Socket;
  readonly links: readonly MdnsLink[];
  close(): Promise<void>;
}

/**
 * Opens the sockets. SO_REUSEADDR (node:dgram's `reuseAddr`) lets them share
 * port 5353 with the system's own responder (avahi, Apple's mDNSResponder,
 * Windows' dnscache), which open theirs the same way. Either IP version may
 * fail alone (no route for 224.0.0.0/4, no IPv6): the other still serves.
 * @throws {MdnsUnavailable} when neither can be used.
 */
export async function openMdnsSocket(options: MdnsSocketOptions): Promise<MdnsSocket> {
  const failures: string[] = [];
  const open = async (family: 4 | 6) => {
    try {
      return await openFamily(family, options);
    } catch (error) {
      failures.push(unavailableReason(error, options.port, family));
      return undefined;
    }
  };
  const v4 = await open(4);
  const v6 = await open(6);
  // "No IPv6 address" is how most LANs are; a real failure says more.
  const real = failures.filter((reason) => !/^no network interface/.test(reason));
  if (!v4 && !v6) {
    throw new MdnsUnavailable(real[0] ?? "no network interface with an IP address to use");
  }
  const port = (v4 ?? v6)!.socket.address().port;
  let closed = false;
  // One send at a time: the outgoing interface is a socket option, set before each multicast.
  let queue = Promise.resolve();
  const sendTo = (socket: dgram.Socket, bytes: Uint8Array, address: string, toPort: number) =>
    new Promise<void>((resolve) => socket.send(bytes, toPort, address, () => resolve()));
  const multicast = async (bytes: Uint8Array, where: Where) => {
    // Sent once per interface: a lab PC on Wi-Fi and Ethernet is found on both.
    for (const link of where.links ?? options.links) {
      if (closed) return;
      if (
        v4 && where.family !== 6 && v4.links.includes(link)
        && trySetInterface(v4.socket, link.ipv4[0]!)
      ) {
        await sendTo(v4.socket, bytes, MDNS_GROUP_V4, MDNS_PORT);
      }
      if (
        v6 && where.family !== 4 && v6.links.includes(link)
        && trySetInterface(v6.socket, `::%${link.name}`)
      ) {
        await sendTo(v6.socket, bytes, `${MDNS_GROUP_V6}%${link.name}`, MDNS_PORT);
      }
    }
  };
  const send = async (message: DnsMessage, where: Where) => {
    if (closed) return;
    const bytes = encodeMessage(message);
    if (!where.to) return await multicast(bytes, where);
    const socket = where.to.address.includes(":") ? v6?.socket : v4?.socket;
    if (socket) await sendTo(socket, bytes, where.to.address, where.to.port);
  };
  return {
    port,
    problems: real,
    send(message, where = {}) {
      const sent = queue.then(() => send(message, where));
      queue = sent.catch(() => {});
      return sent;
    },
    async close() {
      closed = true;
      await Promise.all([v4?.close(), v6?.close()]);
    },
  };
}

async function openFamily(family: 4 | 6, options: MdnsSocketOptions): Promise<FamilySocket> {
  const candidates = options.links.filter((link) =>
    family === 4 ? link.ipv4.length > 0 : link.ipv6.length > 0
  );
  if (candidates.length === 0) {
    throw new Error(`no network interface with an IPv${family} address`);
  }
  const socket = dgram.createSocket({
    type: family === 4 ? "udp4" : "udp6",
    reuseAddr: true,
    // The IPv4 socket hears IPv4: an IPv6 one on the same port must not take it too.
    ...(family === 6 ? { ipv6Only: true } : {}),
  });
  let closed = false;
  const close = () =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      closed = true;
      try {
        socket.close(() => resolve());
      } catch {
        // Bun throws "Not running" for a socket whose bind failed.
        resolve();
      }
    });
  // Bun's node:dgram ends the process on an ICMP error without a handler.
  socket.on("error", () => {});
  socket.on("message", (bytes: Uint8Array, rinfo: dgram.RemoteInfo) => {
    let message: DnsMessage;
    try {
      message = decodeMessage(new Uint8Array(bytes));
    } catch {
      return;
    }
    const link = arrivalLink(rinfo.address, options.links);
    options.onMessage(message, {
      address: withZone(rinfo.address, link),
      port: rinfo.port,
      family,
      link,
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(options.port, family === 4 ? "0.0.0.0" : "::", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    socket.setMulticastTTL(255);
    socket.setMulticastLoopback(true);
    const joined = options.port === MDNS_PORT
      ? candidates.filter((link) => join(socket, family, link))
      : candidates;
    if (joined.length === 0) {
      // The first interface again, to report why.
      const link = candidates[0]!;
      socket.addMembership(
        family === 4 ? MDNS_GROUP_V4 : MDNS_GROUP_V6,
        family === 4 ? link.ipv4[0] : `::%${link.name}`,
      );
    }
    return { socket, links: joined, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function join(socket: dgram.Socket, family: 4 | 6, link: MdnsLink): boolean {
  try {
    if (family === 4) socket.addMembership(MDNS_GROUP_V4, link.ipv4[0]);
    else socket.addMembership(MDNS_GROUP_V6, `::%${link.name}`);
    return true;
  } catch {
    return false;
  }
}

function trySetInterface(socket: dgram.Socket, address: string): boolean {
  try {
    socket.setMulticastInterface(address);
    return true;
  } catch {
    return false;
  }
}

function unavailableReason(error: unknown, port: number, family: 4 | 6): string {
  const code = (error as { code?: string }).code ?? (error as Error).name;
  const text = (error as Error).message ?? String(error);
  if (code === "EADDRINUSE") {
    return `UDP port ${port} is held by a program that does not share it (${text})`;
  }
  if (code === "EINVAL" || code === "ENODEV" || /EINVAL|ENODEV|No such device/.test(text)) {
    return family === 4
      ? `no route for multicast (224.0.0.0/4) on this PC (${text})`
      : `IPv6 multicast (ff02::fb) cannot be joined here (${text})`;
  }
  if (/^no network interface/.test(text)) return text;
  return `cannot use multicast DNS on UDP port ${port}: ${text}`;
}
