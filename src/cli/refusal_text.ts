import type { RefusalCode } from "../message/mod.ts";

/** Why a connection was turned away, in the flags' terms. */
export function describeRefusal(reason: string, code: RefusalCode): string {
  return code === "NOT_ALLOWED" ? "not allowed by --allow/--deny" : reason;
}

/** Why a UDP server did not answer a datagram of `bytes` bytes, in the flags' terms. */
export function describeOversizedDatagram(bytes: number, limit: number): string {
  return `${bytes} bytes is over --max-datagram ${limit}, not answered`;
}
