import { readFileSync } from "node:fs";

/**
 * Datagrams this host has dropped so far because a UDP socket's receive
 * buffer was full: Linux's `RcvbufErrors` in /proc/net/snmp (IPv4) and
 * /proc/net/snmp6 (IPv6). A datagram counted here crossed the network and
 * reached this PC; the program it was for did not read fast enough. Unlike
 * loss on the path, a bigger receive buffer or a faster reader cures it.
 * @returns The count, or `undefined` where it cannot be read: not Linux, or
 * Deno without `-A` (it grants /proc reads to nothing less).
 */
export function readUdpBufferDrops(): number | undefined {
  const v4 = readCounter("/proc/net/snmp", /^Udp: (.*)\n^Udp: (.*)$/m, "RcvbufErrors");
  if (v4 === undefined) return undefined;
  return v4 + (readCounter("/proc/net/snmp6", /^Udp6RcvbufErrors\s+(\d+)$/m) ?? 0);
}

function readCounter(path: string, pattern: RegExp, field?: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const match = pattern.exec(text);
  if (!match) return undefined;
  if (field === undefined) return Number(match[1]);
  // The first line names the columns, the second holds the values.
  const names = match[1]!.trim().split(/\s+/);
  const values = match[2]!.trim().split(/\s+/);
  const value = values[names.indexOf(field)];
  return value === undefined ? undefined : Number(value);
}

/**
 * UDP sends on this host that found no room: Linux's `SndbufErrors`
 * (/proc/net/snmp, /proc/net/snmp6). A datagram that finds the interface's
 * queue full is dropped and never leaves; one that finds its socket's buffer
 * full is not sent yet, and socklab waits and tries again, each try counted.
 * @returns The count, or `undefined` where it cannot be read (as for {@linkcode readUdpBufferDrops}).
 */
export function readUdpSendBufferDrops(): number | undefined {
  const v4 = readCounter("/proc/net/snmp", /^Udp: (.*)\n^Udp: (.*)$/m, "SndbufErrors");
  if (v4 === undefined) return undefined;
  return v4 + (readCounter("/proc/net/snmp6", /^Udp6SndbufErrors\s+(\d+)$/m) ?? 0);
}

/** This host's UDP drop counters over a stretch of time; undefined where unreadable. */
export interface UdpDropCounts {
  /** {@linkcode readUdpBufferDrops}: receive buffers that were full. */
  receiveBuffer: number | undefined;
  /** {@linkcode readUdpSendBufferDrops}: sends that found no room. */
  sendBuffer: number | undefined;
}

/**
 * Reads both counters now; the function returned reads them again and gives
 * what they counted in between.
 */
export function countUdpDrops(): () => UdpDropCounts {
  const receive = readUdpBufferDrops();
  const send = readUdpSendBufferDrops();
  return () => ({
    receiveBuffer: difference(receive, readUdpBufferDrops()),
    sendBuffer: difference(send, readUdpSendBufferDrops()),
  });
}

function difference(before: number | undefined, after: number | undefined): number | undefined {
  return before === undefined || after === undefined ? undefined : after - before;
}
