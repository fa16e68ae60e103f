import type { SocketAddress } from "../../net/mod.ts";

/** One connected socket of a run, as iperf3 -J lists it under `start.connected`. */
export interface ConnectedSocket {
  id: number;
  local: SocketAddress;
  remote: SocketAddress;
}

/**
 * The part of iperf3 -J's `start` every bench shares, TCP or UDP: which
 * sockets connected where, to which server, and when. Each bench adds its
 * `test_start` and socklab's own fields.
 */
export function iperfStart(sockets: ConnectedSocket[], target: SocketAddress, startedAt: Date) {
  return {
    connected: sockets.map((socket) => ({
      socket: socket.id,
      local_host: socket.local.hostname,
      local_port: socket.local.port,
      remote_host: socket.remote.hostname,
      remote_port: socket.remote.port,
    })),
    version: "socklab",
    timestamp: {
      time: startedAt.toUTCString(),
      timesecs: Math.floor(startedAt.getTime() / 1000),
    },
    connecting_to: { host: target.hostname, port: target.port },
  };
}
