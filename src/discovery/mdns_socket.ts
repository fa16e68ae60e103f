// One UDP socket on the multicast DNS port, joined to the group on each chosen
// interface. node:dgram, which both runtimes provide, is the one API of both
// with multicast membership and SO_REUSEADDR.
import dgram from "node:dgram";
import { decodeMessage, type DnsMessage, encodeMessage } from "./dns_message.ts";

/** Where multicast DNS lives (RFC 6762 section 3). */
export const MDNS_PORT = 5353;
export const MDNS_GROUP_V4 = "224.0.0.251";

/** Where a message came from. */
export interface Sender {
  readonly address: string;
  readonly port: number;
}

/** The open socket. */
export interface MdnsSocket {
  /** The local port: 5353, or an ephemeral one for a one-shot querier (RFC 6762 section 5.1). */
  readonly port: number;
  /** Multicasts `message` on every joined interface, or unicasts it to `to`. */
  send(message: DnsMessage, to?: Sender): Promise<void>;
  /** Closes the socket; safe to call twice. */
  close(): Promise<void>;
}

/** How to open it. */
export interface MdnsSocketOptions {
  /** 5353 to answer and to hear every announcement; 0 for a querier that only asks. */
  readonly port: number;
  /** This host's IPv4 addresses of the interfaces to work on. */
  readonly interfaces: readonly string[];
  /** Called for each well-formed message; malformed ones are dropped. */
  readonly onMessage: (message: DnsMessage, from: Sender) => void;
}

/** Why the socket could not be opened, as one line. */
export class MdnsUnavailable extends Error {}

/**
 * Opens the socket. SO_REUSEADDR (node:dgram's `reuseAddr`) lets it share port
 * 5353 with the system's own responder (avahi, Apple's mDNSResponder, Windows'
 * dnscache), which open theirs the same way.
 * @throws {MdnsUnavailable} when the port, the group or a route is missing.
 */
export async function openMdnsSocket(options: MdnsSocketOptions): Promise<MdnsSocket> {
  const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
  let closed = false;
  // Bun's node:dgram ends the process on an ICMP error without a handler.
  socket.on("error", () => {});
  socket.on("message", (bytes: Uint8Array, rinfo: dgram.RemoteInfo) => {
    let message: DnsMessage;
    try {
      message = decodeMessage(new Uint8Array(bytes));
    } catch {
      return;
    }
    options.onMessage(message, { address: rinfo.address, port: rinfo.port });
  });
  const close = () =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      closed = true;
      try {
        socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(options.port, "0.0.0.0", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    socket.setMulticastTTL(255);
    socket.setMulticastLoopback(true);
    if (options.port === MDNS_PORT) {
      for (const address of options.interfaces) socket.addMembership(MDNS_GROUP_V4, address);
    }
  } catch (error) {
    await close();
    throw new MdnsUnavailable(unavailableReason(error, options.port));
  }
  const port = socket.address().port;
  const sendTo = (bytes: Uint8Array, address: string, destinationPort: number) =>
    new Promise<void>((resolve) => socket.send(bytes, destinationPort, address, () => resolve()));
  return {
    port,
    async send(message, to) {
      if (closed) return;
      const bytes = encodeMessage(message);
      if (to) return await sendTo(bytes, to.address, to.port);
      // Sent once per interface: a lab PC on Wi-Fi and Ethernet is found on both.
      for (const address of options.interfaces) {
        if (closed) return;
        try {
          socket.setMulticastInterface(address);
        } catch {
          continue;
        }
        await sendTo(bytes, MDNS_GROUP_V4, MDNS_PORT);
      }
    },
    close,
  };
}

function unavailableReason(error: unknown, port: number): string {
  const code = (error as { code?: string }).code ?? (error as Error).name;
  const text = (error as Error).message ?? String(error);
  if (code === "EADDRINUSE") {
    return `UDP port ${port} is held by a program that does not share it (${text})`;
  }
  if (code === "EINVAL" || code === "ENODEV" || /EINVAL|ENODEV|No such device/.test(text)) {
    return `no route for multicast (224.0.0.0/4) on this PC (${text})`;
  }
  return `cannot use multicast DNS on UDP port ${port}: ${text}`;
}
