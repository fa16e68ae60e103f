import { formatAddress } from "../../address/mod.ts";
import type { SocketAddress } from "../../net/mod.ts";
import { clockTime } from "../mod.ts";

// A server on a LAN may meet spoofed or scanning sources; past this many
// peers only the totals grow, so memory stays bounded.
const DEFAULT_MAX_PEERS = 10_000;

/** What the server saw from one peer. */
export interface PeerRow {
  readonly from: SocketAddress;
  datagrams: number;
  bytes: number;
  /** Milliseconds since the epoch, as `Date.now()` gives them. */
  readonly firstSeen: number;
  lastSeen: number;
}

/** Per-peer datagram counts for the table a UDP server prints at exit. */
export class PeerTable {
  // Keyed by host, then port: looking a peer up builds no string, which
  // mattered at 100k+ datagrams a second.
  readonly #byHost = new Map<string, Map<number, PeerRow>>();
  readonly #rows: PeerRow[] = [];
  readonly #maxPeers: number;
  /** Datagrams from peers first seen after the table was full: counted, not listed. */
  untracked = 0;
  /** Datagrams from every peer, listed or not. */
  totalDatagrams = 0;
  /** Bytes from every peer, listed or not. */
  totalBytes = 0;

  /** @param maxPeers Most peers listed individually. @default {10000} */
  constructor(maxPeers = DEFAULT_MAX_PEERS) {
    this.#maxPeers = maxPeers;
  }

  /**
   * Counts one datagram of `size` bytes from `from` at `now`.
   * @returns Whether this was the first datagram from that peer.
   */
  record(from: SocketAddress, size: number, now = Date.now()): boolean {
    this.totalDatagrams++;
    this.totalBytes += size;
    let ports = this.#byHost.get(from.hostname);
    const row = ports?.get(from.port);
    if (row) {
      row.datagrams++;
      row.bytes += size;
      row.lastSeen = now;
      return false;
    }
    if (this.#rows.length >= this.#maxPeers) {
      this.untracked++;
      return false;
    }
    const added = { from, datagrams: 1, bytes: size, firstSeen: now, lastSeen: now };
    if (!ports) this.#byHost.set(from.hostname, ports = new Map());
    ports.set(from.port, added);
    this.#rows.push(added);
    return true;
  }

  /** The peers in the order they first appeared. */
  get rows(): readonly PeerRow[] {
    return this.#rows;
  }

  /** The table as aligned text lines, a header first; empty when nobody sent anything. */
  format(): string[] {
    if (this.#rows.length === 0) return [];
    const header = ["peer", "datagrams", "bytes", "first seen", "last seen"];
    const cells = this.rows.map((row) => [
      formatAddress(row.from),
      String(row.datagrams),
      String(row.bytes),
      clockTime(new Date(row.firstSeen)),
      clockTime(new Date(row.lastSeen)),
    ]);
    const widths = header.map((title, i) =>
      Math.max(title.length, ...cells.map((line) => line[i]!.length))
    );
    // Counts right-aligned so their digits line up, like ping and netstat.
    const line = (values: string[]) =>
      values.map((value, i) =>
        i === 1 || i === 2 ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)
      )
        .join("  ").trimEnd();
    const lines = [line(header), ...cells.map(line)];
    if (this.untracked > 0) {
      lines.push(`(${this.untracked} datagrams from further peers not listed)`);
    }
    return lines;
  }
}
