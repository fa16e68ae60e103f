import { findUdpDescriptor, LIBC_PATHS, setReceiveBuffer } from "./receive_buffer.ts";
import type { SocketAddress } from "./types.ts";

const SYMBOLS = {
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  recvfrom: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "buffer"], result: "isize" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;

const AF_INET = 2;
const SOCKADDR_IN_BYTES = 16;
// Destinations remembered with their sockaddr; past this many the memory starts again.
const MAX_DESTINATIONS = 1024;
// MSG_DONTWAIT: Deno's socket is non-blocking already; this says so to anyone reading.
const MSG_DONTWAIT = 0x40;
// What a receive offers the system when its buffer has room for any datagram.
const LARGEST_DATAGRAM = 65536;
const LARGEST_ROOM = BigInt(LARGEST_DATAGRAM);

/**
 * What socklab calls in the C library on Deno's UDP socket, where Deno has no
 * API for it: the receive buffer (SO_RCVBUF), and a send that does not cross
 * into Deno's async runtime. Measured on loopback, Deno's `send` peaked at
 * 870-980 Mbit/s of 1,472-byte datagrams, each an awaited op; `sendto` called
 * directly on the same socket offered 2.5-3.8 Gbit/s.
 */
export interface DenoUdpCalls {
  /** What the system reports after the receive buffer was asked for; undefined if not asked. */
  readonly receiveBufferBytes: number | undefined;
  /**
   * Sends `data` to `to` at once; false, having sent nothing, when it cannot
   * (the system's buffer is full, an error, an IPv6 or zoned address, or no
   * `net` permission for `to`), and then Deno's own `send` should.
   */
  sendTo(data: Uint8Array, to: SocketAddress): boolean;
  /**
   * Takes the next datagram waiting in the system's buffer into `into` (room
   * for the largest datagram) and returns its length, its sender then in
   * `from`; -1 when none waits (or an error, which Deno's own receive then
   * reports), so that the caller waits with Deno's `receive`.
   */
  receiveFrom(into: Uint8Array): number;
  /** The sender of the datagram `receiveFrom` last took. */
  readonly from: SocketAddress;
  /** Stops using the socket: called before it is closed. */
  close(): void;
}

// Only a C library the permission set names is opened, and only once Deno
// says it is granted: asked otherwise, Deno would stop to prompt on a terminal.
function openLibc(): Libc | null {
  if (Deno.build.os !== "linux") return null;
  for (const path of LIBC_PATHS) {
    if (Deno.permissions.querySync({ name: "ffi", path }).state !== "granted") continue;
    try {
      return Deno.dlopen(path, SYMBOLS);
    } catch {
      // Not at this path on this system: try the next.
    }
  }
  return null;
}

/**
 * Opens the C library for Deno's UDP socket bound to `port`, asks for
 * `receiveBufferBytes` if given, and keeps it for direct sends and receives
 * on an IPv4 socket. Undefined where it cannot (not Linux, no C library at a known
 * path, no `ffi` permission for it): the socket then works as Deno has it.
 */
export function openDenoUdpCalls(
  family: "IPv4" | "IPv6",
  port: number,
  receiveBufferBytes: number | undefined,
): DenoUdpCalls | undefined {
  const libc = openLibc();
  if (!libc) return undefined;
  let fd: number | undefined;
  let granted: number | undefined;
  try {
    fd = findUdpDescriptor(libc.symbols, family, port);
    if (fd !== undefined && receiveBufferBytes !== undefined) {
      granted = setReceiveBuffer(libc.symbols, fd, receiveBufferBytes);
    }
  } catch {
    // A buffer that cannot be asked for leaves the default; the socket still works.
  }
  // IPv6 destinations would need their own parsing (zones, compressed forms) for little gain in a lab.
  if (fd === undefined || family !== "IPv4") {
    // A library left open is a resource Deno's tests count as leaked.
    libc.close();
    return {
      receiveBufferBytes: granted,
      sendTo: () => false,
      receiveFrom: () => -1,
      from: { hostname: "", port: 0 },
      close() {},
    };
  }
  return directCalls(libc, fd, granted);
}

function directCalls(libc: Libc, fd: number, receiveBufferBytes: number | undefined): DenoUdpCalls {
  const { sendto, recvfrom } = libc.symbols;
  const senders = new SenderNames();
  const fromAddress = new Uint8Array(SOCKADDR_IN_BYTES);
  const fromView = new DataView(fromAddress.buffer);
  const fromSize = new Uint32Array(1);
  let from: SocketAddress = { hostname: "", port: 0 };
  // By host, then port: a server answering many peers builds no string per datagram.
  const destinations = new Map<string, Map<number, Uint8Array | null>>();
  let remembered = 0;
  let open = true;
  // size_t is a bigint to Deno's FFI types; most sends repeat the last length.
  let lastLength = 0;
  let lastSize = 0n;
  const sockaddrOf = (to: SocketAddress): Uint8Array | null => {
    let ports = destinations.get(to.hostname);
    let address = ports?.get(to.port);
    if (address !== undefined) return address;
    if (remembered >= MAX_DESTINATIONS) {
      destinations.clear();
      remembered = 0;
      ports = undefined;
    }
    address = sockaddrIn(to);
    if (!ports) destinations.set(to.hostname, ports = new Map());
    ports.set(to.port, address);
    remembered++;
    return address;
  };
  return {
    receiveBufferBytes,
    sendTo(data: Uint8Array, to: SocketAddress): boolean {
      if (!open) return false;
      const address = sockaddrOf(to);
      if (address === null) return false;
      if (data.length !== lastLength) lastSize = BigInt(lastLength = data.length);
      return sendto(fd, data, lastSize, MSG_DONTWAIT, address, SOCKADDR_IN_BYTES) >= 0;
    },
    receiveFrom(into: Uint8Array): number {
      if (!open) return -1;
      fromSize[0] = SOCKADDR_IN_BYTES;
      const room = into.length >= LARGEST_DATAGRAM ? LARGEST_ROOM : BigInt(into.length);
      const length = Number(recvfrom(fd, into, room, MSG_DONTWAIT, fromAddress, fromSize));
      if (length < 0 || fromView.getUint16(0, true) !== AF_INET) return -1;
      from = senders.of(fromView.getUint32(4), fromView.getUint16(2));
      return length;
    },
    get from() {
      return from;
    },
    close(): void {
      if (!open) return;
      open = false;
      libc.close();
    },
  };
}

// A sockaddr_in for an IPv4 literal Deno would let this program send to; null
// for anything else, which then goes through Deno's own send and its checks.
function sockaddrIn(to: SocketAddress): Uint8Array | null {
  const parts = to.hostname.split(".");
  if (parts.length !== 4) return null;
  const octets = parts.map((part) => /^\d{1,3}$/.test(part) ? Number(part) : NaN);
  if (octets.some((octet) => !(octet >= 0 && octet <= 255))) return null;
  if (!Number.isInteger(to.port) || to.port < 1 || to.port > 65535) return null;
  // The C library does not ask Deno: a destination the net permission does not grant stays Deno's to refuse.
  const permission = Deno.permissions.querySync({ name: "net", host: `${to.hostname}:${to.port}` });
  if (permission.state !== "granted") return null;
  const address = new Uint8Array(SOCKADDR_IN_BYTES);
  const view = new DataView(address.buffer);
  view.setUint16(0, AF_INET, true);
  view.setUint16(2, to.port);
  address.set(octets, 4);
  return address;
}

// Senders remembered with their address object; past this many the memory starts again.
const MAX_SENDERS = 4096;

/**
 * The address object for an IPv4 sender, kept per address and port: a server
 * hearing the same peers over and over builds no string per datagram, and
 * the text is the dotted form Deno itself gives.
 */
class SenderNames {
  readonly #byHost = new Map<number, Map<number, SocketAddress>>();
  #count = 0;

  of(host: number, port: number): SocketAddress {
    let ports = this.#byHost.get(host);
    const known = ports?.get(port);
    if (known) return known;
    if (this.#count >= MAX_SENDERS) {
      this.#byHost.clear();
      this.#count = 0;
      ports = undefined;
    }
    const address = Object.freeze({
      hostname: `${host >>> 24}.${(host >>> 16) & 255}.${(host >>> 8) & 255}.${host & 255}`,
      port,
    });
    if (!ports) this.#byHost.set(host, ports = new Map());
    ports.set(port, address);
    this.#count++;
    return address;
  }
}
