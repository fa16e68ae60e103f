import { NetError } from "./net_error.ts";
import type { SocketAddress } from "./types.ts";

/**
 * Datagrams the system had no room for wait in order, up to this many; past
 * that a send is dropped and reported, as a full socket buffer would drop it.
 */
export const MAX_QUEUED_DATAGRAMS = 4096;

/** The error a send past {@linkcode MAX_QUEUED_DATAGRAMS} reports. */
export function sendQueueFull(to: SocketAddress): NetError {
  return new NetError(
    "SEND_QUEUE_FULL",
    `send queue full (${MAX_QUEUED_DATAGRAMS} datagrams wait for the system); datagram dropped on this PC`,
    { operation: "send", address: to },
  );
}
