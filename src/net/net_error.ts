import type { SocketAddress } from "./types.ts";

/** Stable codes for network failures, the same on every runtime. */
export type NetErrorCode =
  | "CONNECTION_REFUSED"
  | "CONNECTION_RESET"
  | "ADDRESS_IN_USE"
  | "ADDRESS_NOT_AVAILABLE"
  | "HOST_NOT_FOUND"
  | "TIMED_OUT"
  | "MESSAGE_TOO_LARGE"
  | "PERMISSION_DENIED"
  | "SANDBOX_DENIED"
  | "NETWORK_UNREACHABLE"
  | "HOST_UNREACHABLE"
  | "REJECTED"
  | "INTERFACE_REQUIRED"
  | "BROKEN_PIPE"
  | "TOO_MANY_OPEN_FILES"
  | "SEND_QUEUE_FULL"
  | "TLS_HANDSHAKE_FAILED"
  | "CERTIFICATE_UNTRUSTED"
  | "CLOSED"
  | "UNKNOWN";

/** What the program was doing when the failure happened; it goes into the message. */
export type NetOperation =
  | "connect"
  | "listen"
  | "bind"
  | "send"
  | "receive"
  | "resolve"
  | "handshake";

/** A network failure with a stable `code`, from whichever runtime raised it. */
export class NetError extends Error {
  /** Always `"NetError"`. */
  override readonly name = "NetError";
  /** Why it failed; the same code on every runtime, for programs to test. */
  readonly code: NetErrorCode;
  /** What was being done when it failed, when known. */
  readonly operation: NetOperation | undefined;
  /**
   * The address involved, when known: the local one for `listen` and `bind`,
   * the peer's otherwise.
   */
  readonly address: SocketAddress | undefined;

  /**
   * Creates a network error; {@linkcode toNetError} makes one from whatever a
   * runtime threw.
   *
   * @param code Stable reason.
   * @param message What failed, in a user's words.
   * @param options Context and the runtime's own error as `cause`.
   * @example
   * ```ts
   * import { NetError } from "../../mod.ts";
   * const error = new NetError("TIMED_OUT", "no reply within 1000 ms", { operation: "receive" });
   * if (error.code !== "TIMED_OUT" || error.name !== "NetError") throw new Error("unexpected error");
   * ```
   */
  constructor(
    code: NetErrorCode,
    message: string,
    options: { operation?: NetOperation; address?: SocketAddress; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.operation = options.operation;
    this.address = options.address;
  }
}

// Both runtimes expose errno-style strings (Bun as `code`, Deno as `code` on
// most errors); Deno also names its error classes, which covers the rest.
const BY_ERRNO: Record<string, NetErrorCode> = {
  ECONNREFUSED: "CONNECTION_REFUSED",
  ConnectionRefused: "CONNECTION_REFUSED",
  ECONNRESET: "CONNECTION_RESET",
  ConnectionReset: "CONNECTION_RESET",
  ECONNABORTED: "CONNECTION_RESET",
  ConnectionAborted: "CONNECTION_RESET",
  EADDRINUSE: "ADDRESS_IN_USE",
  AddrInUse: "ADDRESS_IN_USE",
  EADDRNOTAVAIL: "ADDRESS_NOT_AVAILABLE",
  AddrNotAvailable: "ADDRESS_NOT_AVAILABLE",
  EAFNOSUPPORT: "ADDRESS_NOT_AVAILABLE",
  ENOTFOUND: "HOST_NOT_FOUND",
  EAI_NONAME: "HOST_NOT_FOUND",
  EAI_AGAIN: "HOST_NOT_FOUND",
  ETIMEDOUT: "TIMED_OUT",
  TimedOut: "TIMED_OUT",
  EMSGSIZE: "MESSAGE_TOO_LARGE",
  EACCES: "PERMISSION_DENIED",
  EPERM: "PERMISSION_DENIED",
  PermissionDenied: "PERMISSION_DENIED",
  NotCapable: "SANDBOX_DENIED",
  ENETUNREACH: "NETWORK_UNREACHABLE",
  NetworkUnreachable: "NETWORK_UNREACHABLE",
  EHOSTUNREACH: "HOST_UNREACHABLE",
  HostUnreachable: "HOST_UNREACHABLE",
  EPIPE: "BROKEN_PIPE",
  BrokenPipe: "BROKEN_PIPE",
  EMFILE: "TOO_MANY_OPEN_FILES",
  ENFILE: "TOO_MANY_OPEN_FILES",
  // Linux: the interface's queue had no room (the link is slower than the sender).
  ENOBUFS: "SEND_QUEUE_FULL",
  BadResource: "CLOSED",
  Interrupted: "CLOSED",
  NotConnected: "CLOSED",
};

const MESSAGES: Record<NetErrorCode, string> = {
  CONNECTION_REFUSED: "connection refused",
  CONNECTION_RESET: "connection reset by peer",
  ADDRESS_IN_USE: "address already in use",
  ADDRESS_NOT_AVAILABLE: "address not available on this machine",
  HOST_NOT_FOUND: "host not found",
  TIMED_OUT: "timed out",
  MESSAGE_TOO_LARGE: "message too large",
  PERMISSION_DENIED: "permission denied",
  SANDBOX_DENIED: "network access not granted to this script",
  NETWORK_UNREACHABLE: "network unreachable",
  HOST_UNREACHABLE: "host unreachable",
  REJECTED: "rejected by a firewall or a route",
  INTERFACE_REQUIRED: "a link-local address needs %INTERFACE",
  BROKEN_PIPE: "connection closed by peer",
  TOO_MANY_OPEN_FILES: "out of file descriptors (too many open files)",
  SEND_QUEUE_FULL:
    "no room to send on this PC (the link is slower than the sender); datagram dropped",
  TLS_HANDSHAKE_FAILED: "TLS handshake failed",
  CERTIFICATE_UNTRUSTED: "server certificate not trusted",
  CLOSED: "socket closed",
  UNKNOWN: "network error",
};

/**
 * Turns whatever a runtime threw into a NetError; the one place that knows the
 * runtimes' error shapes.
 */
export function toNetError(
  error: unknown,
  context: { operation?: NetOperation; address?: SocketAddress } = {},
): NetError {
  if (error instanceof NetError) return error;
  const code = classify(error);
  // Linux answers EINVAL to a link-local address with no interface to use.
  const host = context.address?.hostname;
  if (code === "UNKNOWN" && host !== undefined && isZonelessLinkLocal(host)) {
    return new NetError("INTERFACE_REQUIRED", `${host} is a link-local address: add %INTERFACE`, {
      ...context,
      cause: error,
    });
  }
  const detail = MESSAGES[code];
  return new NetError(code, detail, { ...context, cause: error });
}

/** Tells whether `host` is an IPv6 link-local literal (fe80::/10) without `%interface`. */
export function isZonelessLinkLocal(host: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(host) && !host.includes("%");
}

function classify(error: unknown): NetErrorCode {
  if (typeof error !== "object" || error === null) return "UNKNOWN";
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  for (const key of [code, name]) {
    if (typeof key === "string" && key in BY_ERRNO) return BY_ERRNO[key]!;
  }
  // Deno's resolver errors carry neither a code nor a specific class.
  if (typeof message === "string" && /lookup address|Name or service not known/i.test(message)) {
    return "HOST_NOT_FOUND";
  }
  // Deno reports running out of descriptors only in the message (os error 24, or 23 system-wide).
  if (typeof message === "string" && /too many open files|os error 2[34]\b/i.test(message)) {
    return "TOO_MANY_OPEN_FILES";
  }
  return "UNKNOWN";
}
