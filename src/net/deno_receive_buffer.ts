import { findUdpDescriptor, LIBC_PATHS, setReceiveBuffer } from "./receive_buffer.ts";

const SYMBOLS = {
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;

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
 * Asks for a receive buffer of `bytes` on Deno's UDP socket bound to `port`;
 * returns the size the system then reports, or undefined when it could not be
 * asked (not Linux, no C library at a known path, or no `ffi` permission for it).
 */
export function requestDenoReceiveBuffer(
  family: "IPv4" | "IPv6",
  port: number,
  bytes: number,
): number | undefined {
  // Opened for each socket and closed at once (the C library itself stays
  // loaded): a library left open is a resource Deno's tests count as leaked.
  const libc = openLibc();
  if (!libc) return undefined;
  try {
    const fd = findUdpDescriptor(libc.symbols, family, port);
    return fd === undefined ? undefined : setReceiveBuffer(libc.symbols, fd, bytes);
  } catch {
    // A buffer that cannot be asked for leaves the default; the socket still works.
    return undefined;
  } finally {
    libc.close();
  }
}
