import { NetError } from "./net_error.ts";
import type { SocketAddress } from "./types.ts";

// Bounds on what waits for the system's send buffer, per socket: a UDP
// server's replies to a flood over a slow link cannot take more memory than
// this, and past it a send is dropped and reported, as a full buffer drops it.
const MAX_QUEUED_DATAGRAMS = 4096;
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

/** Datagrams waiting, in order, for room in the system's send buffer. */
export class DatagramQueue {
  readonly #items: [Uint8Array, SocketAddress][] = [];
  #bytes = 0;

  /** How many wait. */
  get length(): number {
    return this.#items.length;
  }

  /** Adds a datagram at the end; false, adding nothing, when the queue is full. */
  push(data: Uint8Array, to: SocketAddress): boolean {
    if (
      this.#items.length >= MAX_QUEUED_DATAGRAMS || this.#bytes + data.length > MAX_QUEUED_BYTES
    ) {
      return false;
    }
    this.#items.push([data, to]);
    this.#bytes += data.length;
    return true;
  }

  /** The datagram whose turn it is, or undefined when none waits. */
  first(): [Uint8Array, SocketAddress] | undefined {
    return this.#items[0];
  }

  /** Takes the first datagram off, once it has gone. */
  shift(): void {
    const item = this.#items.shift();
    if (item) this.#bytes -= item[0].length;
  }
}

/** The error a send that finds the queue full reports. */
export function sendQueueFull(to: SocketAddress): NetError {
  return new NetError(
    "SEND_QUEUE_FULL",
    `send queue full (${MAX_QUEUED_DATAGRAMS} datagrams or ${
      MAX_QUEUED_BYTES / 1024 / 1024
    } MiB wait for the system); datagram dropped on this PC`,
    { operation: "send", address: to },
  );
}
