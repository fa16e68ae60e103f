import { setReceiveBuffer } from "./receive_buffer.ts";

interface BunFfi {
  dlopen(
    name: string,
    symbols: Record<string, { args: string[]; returns: string }>,
  ): { symbols: Record<string, (...args: unknown[]) => number> };
  ptr(view: ArrayBufferView): unknown;
}

type Calls = Parameters<typeof setReceiveBuffer>[0];

// Opened once, on first use; null where it cannot be.
let libc: Calls | null | undefined;

async function openLibc(): Promise<Calls | null> {
  const platform = (globalThis as { process?: { platform?: string } }).process?.platform;
  if (platform !== "linux") return null;
  try {
    // A name Deno's type checker does not try to resolve: this file is type-checked there too.
    const specifier = ["bun", "ffi"].join(":");
    const ffi = (await import(specifier)) as BunFfi;
    const { symbols } = ffi.dlopen("libc.so.6", {
      setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" },
      getsockopt: { args: ["i32", "i32", "i32", "ptr", "ptr"], returns: "i32" },
    });
    return {
      setsockopt: (fd, level, name, value, size) =>
        symbols.setsockopt!(fd, level, name, ffi.ptr(value), size),
      getsockopt: (fd, level, name, value, size) =>
        symbols.getsockopt!(fd, level, name, ffi.ptr(value), ffi.ptr(size)),
      // Bun says which descriptor its socket has, so none is searched for.
      getsockname: () => -1,
    };
  } catch {
    return null;
  }
}

/**
 * Asks for a receive buffer of `bytes` on Bun's UDP socket `fd`; returns the
 * size the system then reports, or undefined where it cannot be asked.
 */
export async function requestBunReceiveBuffer(
  fd: number | undefined,
  bytes: number,
): Promise<number | undefined> {
  if (fd === undefined || fd < 0) return undefined;
  libc ??= await openLibc();
  try {
    return libc ? setReceiveBuffer(libc, fd, bytes) : undefined;
  } catch {
    // A buffer that cannot be asked for leaves the default; the socket still works.
    return undefined;
  }
}
