import { bun, type BunUdpSocket } from "./bun_api.ts";
import { requestBunReceiveBuffer } from "./bun_receive_buffer.ts";
import { NetError, toNetError } from "./net_error.ts";
import type { BindOptions, DatagramEvents, SocketAddress, UdpSocket } from "./types.ts";
import { DatagramQueue, sendQueueFull } from "./udp_send_queue.ts";

// Datagrams Bun delivers between binding and start(): past this many they are
// dropped, as a full receive buffer would drop them.
const MAX_EARLY_DATAGRAMS = 1024;
// Bun says when its buffer has room again (drain); this retry is in case it does not.
const RETRY_SEND_MS = 50;
// Replies batched for one sendMany. Bun describes about 200 datagrams per
// sendmmsg (uSockets' 16 KiB LIBUS_SEND_BUFFER_LENGTH) and, given more, goes
// on to the next ones after a partial send; 64 keeps every batch to one call.
const MAX_BATCH = 64;

/**
 * Binds a UDP socket on Bun. Bun's send() returns false, having sent nothing,
 * when the system's buffer is full (a link slower than the sender); such
 * datagrams wait here in order and go out on `drain`, as Deno's sends wait
 * inside Deno, so neither runtime drops a datagram it could have sent.
 *
 * Replies sent while a datagram is being delivered are batched: Bun delivers
 * everything one wakeup read (50 clients' requests, say) before it runs
 * immediates, so they leave then in one sendmmsg instead of one system call
 * each. Every other send leaves at once, so a client's request or a paced
 * bench's datagram is not held back.
 */
export async function bindBunUdp(options: BindOptions): Promise<UdpSocket> {
  const { hostname, port } = options;
  let events: DatagramEvents | undefined;
  // Bun delivers from the moment the socket is bound, before the owner has
  // had a chance to call start().
  let early: [Uint8Array, SocketAddress][] = [];
  const waiting = new DatagramQueue();
  let retry: ReturnType<typeof setTimeout> | undefined;
  const emptied: (() => void)[] = [];
  let closing: Promise<void> | undefined;
  let closed = false;
  // Flat, as sendMany takes it: data, port, address, data, port, address...
  const batch: (Uint8Array | number | string)[] = [];
  let batchScheduled = false;
  let delivering = false;
  // Before start() nobody listens for errors, so they are dropped.
  const report = (error: Error) => {
    if (!closed) events?.error(error);
  };
  // False when the system had no room; a failed send is reported and counts as gone.
  const handOver = (socket: BunUdpSocket, data: Uint8Array, to: SocketAddress): boolean => {
    try {
      return socket.send(data, to.port, to.hostname);
    } catch (error) {
      report(toNetError(error, { operation: "send", address: to }));
      return true;
    }
  };
  const sendWaiting = (socket: BunUdpSocket) => {
    clearTimeout(retry);
    retry = undefined;
    while (waiting.length > 0 && !closed) {
      const [data, to] = waiting.first()!;
      if (!handOver(socket, data, to)) {
        retry = setTimeout(() => sendWaiting(socket), RETRY_SEND_MS);
        return;
      }
      waiting.shift();
    }
    for (const resolve of emptied.splice(0)) resolve();
  };
  const waitForRoom = (socket: BunUdpSocket, data: Uint8Array, to: SocketAddress) => {
    if (waiting.length > 0) {
      if (!waiting.push(data, to)) report(sendQueueFull(to));
    } else if (!handOver(socket, data, to)) {
      waiting.push(data, to);
      retry = setTimeout(() => sendWaiting(socket), RETRY_SEND_MS);
    }
  };
  // The address of the batched datagram that starts at `i`.
  const batchedTo = (i: number): SocketAddress => ({
    hostname: batch[i + 2] as string,
    port: batch[i + 1] as number,
  });
  const sendBatch = (socket: BunUdpSocket) => {
    if (batch.length === 0) return;
    let sent: number;
    try {
      sent = socket.sendMany(batch);
    } catch {
      // Nothing was sent (a bad address, say): one by one, each failure is reported with its own address.
      for (let i = 0; i < batch.length; i += 3) {
        waitForRoom(socket, batch[i] as Uint8Array, batchedTo(i));
      }
      batch.length = 0;
      return;
    }
    // What the system had no room for waits, in order, for drain.
    for (let i = sent * 3; i < batch.length; i += 3) {
      if (!waiting.push(batch[i] as Uint8Array, batchedTo(i))) report(sendQueueFull(batchedTo(i)));
    }
    if (waiting.length > 0 && retry === undefined) {
      retry = setTimeout(() => sendWaiting(socket), RETRY_SEND_MS);
    }
    batch.length = 0;
  };
  try {
    const socket = await bun().udpSocket({
      hostname,
      port,
      // Plain Uint8Arrays, as on Deno, without the per-datagram cost of converting a Buffer.
      binaryType: "uint8array",
      socket: {
        data: (_socket, data, fromPort, fromAddress) => {
          // Its owner has let go: what arrives while the last sends drain is not theirs.
          if (closing) return;
          const from = { hostname: fromAddress, port: fromPort };
          if (!events) {
            if (early.length < MAX_EARLY_DATAGRAMS) early.push([data, from]);
            return;
          }
          delivering = true;
          try {
            events.message(data, from);
          } finally {
            delivering = false;
          }
        },
        drain: (socket) => sendWaiting(socket),
        // Without this handler Bun exits the process on an ICMP port unreachable.
        error: (error) => report(toNetError(error, { operation: "receive" })),
      },
    });
    const receiveBufferBytes = options.receiveBufferBytes === undefined
      ? undefined
      : await requestBunReceiveBuffer(socket.fd, options.receiveBufferBytes);
    return {
      localAddress: { hostname: socket.address.address, port: socket.port },
      receiveBufferBytes,
      start(given: DatagramEvents): void {
        if (events) throw new Error("UdpSocket.start() was called twice");
        events = given;
        const arrived = early;
        early = [];
        for (const [data, from] of arrived) if (!closed) given.message(data, from);
      },
      send(data: Uint8Array, to: SocketAddress): void {
        if (closing) return;
        // Behind the ones already waiting or batched, so that none overtakes another.
        if (waiting.length === 0 && (delivering || batch.length > 0)) {
          batch.push(data, to.port, to.hostname);
          if (batch.length >= MAX_BATCH * 3) sendBatch(socket);
          else if (!batchScheduled) {
            batchScheduled = true;
            setImmediate(() => {
              batchScheduled = false;
              if (!closed) sendBatch(socket);
            });
          }
        } else waitForRoom(socket, data, to);
      },
      get queuedDatagrams() {
        return waiting.length + batch.length / 3;
      },
      flushed(): Promise<void> {
        if (!closed) sendBatch(socket);
        if (waiting.length === 0 || closed) return Promise.resolve();
        return new Promise((resolve) => emptied.push(resolve));
      },
      close(): Promise<void> {
        closing ??= (async () => {
          early = [];
          sendBatch(socket);
          // Datagrams already accepted by send() still go out, as they would from the kernel's buffer.
          if (waiting.length > 0) await new Promise<void>((resolve) => emptied.push(resolve));
          closed = true;
          clearTimeout(retry);
          socket.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    throw error instanceof NetError
      ? error
      : toNetError(error, { operation: "bind", address: { hostname, port } });
  }
}
