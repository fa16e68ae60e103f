// Neither runtime's UDP socket takes a receive buffer size (SO_RCVBUF), and
// the system's default (208 KiB on Linux: about 90 datagrams of 1,472 bytes)
// overflows within a millisecond at 1 Gbit/s whenever the reading program is
// not scheduled: measured on loopback, 3-10% of a 1 Gbit/s stream was lost by
// the runtimes' own plain receive loops, and none once the buffer was 4 MiB.
// So the option is set through the C library, where the runtime lets us.
// Linux only: the constants and the library's name are Linux's.

const SOL_SOCKET = 1;
const SO_TYPE = 3;
const SO_RCVBUF = 8;
const SOCK_DGRAM = 2;

/** The C functions used, as each runtime's foreign function interface calls them. */
interface SocketCalls {
  setsockopt(fd: number, level: number, name: number, value: Int32Array, size: number): number;
  getsockopt(fd: number, level: number, name: number, value: Int32Array, size: Uint32Array): number;
  getsockname(fd: number, address: Uint8Array, size: Uint32Array): number;
}

/**
 * Asks the system for a receive buffer of `bytes` on socket `fd` and returns
 * the size it reports afterwards: Linux caps the request at
 * `net.core.rmem_max` and then doubles it, for its own bookkeeping.
 */
export function setReceiveBuffer(calls: SocketCalls, fd: number, bytes: number): number {
  calls.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, new Int32Array([bytes]), 4);
  const granted = new Int32Array(1);
  calls.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, granted, new Uint32Array([4]));
  return granted[0]!;
}

// A process rarely has more descriptors open than this when it binds; the scan
// stops at the first match, and each miss is one failed system call.
const MAX_FD_SCANNED = 65536;

/**
 * The descriptor of this process's UDP socket bound to `port` for `family`:
 * Deno does not say which descriptor its socket has, so each is asked where
 * it is bound. Undefined when none matches.
 */
export function findUdpDescriptor(
  calls: SocketCalls,
  family: "IPv4" | "IPv6",
  port: number,
): number | undefined {
  const wantedFamily = family === "IPv4" ? 2 : 10;
  const address = new Uint8Array(128);
  const size = new Uint32Array(1);
  const type = new Int32Array(1);
  const typeSize = new Uint32Array(1);
  for (let fd = 0; fd < MAX_FD_SCANNED; fd++) {
    size[0] = address.length;
    if (calls.getsockname(fd, address, size) !== 0) continue;
    // sockaddr_in and sockaddr_in6 both start with the family (host order) and the port (network order).
    const foundFamily = address[0]! | (address[1]! << 8);
    const foundPort = (address[2]! << 8) | address[3]!;
    if (foundFamily !== wantedFamily || foundPort !== port) continue;
    typeSize[0] = 4;
    if (calls.getsockopt(fd, SOL_SOCKET, SO_TYPE, type, typeSize) === 0 && type[0] === SOCK_DGRAM) {
      return fd;
    }
  }
  return undefined;
}

/** Where glibc and musl keep the C library on common Linux systems; Deno's permission names each. */
export const LIBC_PATHS = [
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/lib/aarch64-linux-gnu/libc.so.6",
  "/usr/lib/x86_64-linux-gnu/libc.so.6",
  "/usr/lib/aarch64-linux-gnu/libc.so.6",
  "/lib64/libc.so.6",
  "/usr/lib64/libc.so.6",
  "/usr/lib/libc.so.6",
  "/lib/libc.so.6",
] as const;
