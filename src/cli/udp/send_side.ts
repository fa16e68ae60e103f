/** What the sending PC itself did to a UDP bench's datagrams. */
export interface SendSide {
  /** Seconds spent sending. */
  seconds: number;
  /** Time the sender waited for this PC to take what it had sent (see `paceSends`). */
  heldBackMs: number;
  /** What was sent as a share of what --rate asked for: 1 when the sender kept up. */
  sentShare: number;
  /**
   * Sends that failed on this PC, so their datagrams never left: no room on
   * the way out (ENOBUFS, or the runtime's own queue full), or an ICMP error
   * for an earlier datagram that came back (reported at the next send).
   */
  sendErrors: number;
  /**
   * Linux's SndbufErrors over the run, where readable: sends that found no
   * room, by any program. A datagram that finds the interface's queue full is
   * dropped there; one that finds the socket's buffer full only waits, and is
   * counted each time it tries.
   */
  sendBufferDrops: number | undefined;
}

// A wait shorter than this share of the run is a blip, not a slow link.
const HELD_BACK_WORTH_SAYING = 0.05;
// Short waits the pacing made good afterwards (Deno hands datagrams over in
// bursts at 1 Gbit/s) cost less than this share of --rate: the rate was kept.
const RATE_KEPT_SHARE = 0.95;

/** The line saying the link set the pace, when it did for a noticeable while. */
export function heldBackLine(side: SendSide): string | undefined {
  const seconds = side.heldBackMs / 1000;
  if (side.seconds <= 0 || seconds < side.seconds * HELD_BACK_WORTH_SAYING) return undefined;
  if (side.sentShare >= RATE_KEPT_SHARE) return undefined;
  return `the sender waited ${seconds.toFixed(1)} s of ${side.seconds.toFixed(1)} s for this PC `
    + `to take datagrams it had already sent: the link, or the runtime handing datagrams to the `
    + `system, is slower than --rate, so it set the pace (the sender's bitrate above is what left)`;
}

/**
 * Lines on the loss that happened on this PC before the wire, and how much of
 * `lost` they account for for certain.
 */
export function explainSendSide(side: SendSide, lost: number): {
  lines: string[];
  explained: number;
} {
  const lines: string[] = [];
  let explained = 0;
  if (side.sendErrors > 0) {
    lines.push(
      `${side.sendErrors} sends failed on this PC, so those datagrams never left: there was no `
        + `room to send (the link is slower than --rate), or an ICMP error came back`,
    );
    explained += side.sendErrors;
  }
  // Bun's failed sends are in SndbufErrors too: only the rest is news.
  const noRoom = Math.max(0, (side.sendBufferDrops ?? 0) - side.sendErrors);
  if (noRoom > 0) {
    if (side.heldBackMs > 0) {
      lines.push(
        `Linux counted ${noRoom} more sends that found no room on this PC (SndbufErrors, other `
          + `programs' included): a full socket buffer only makes the sender wait and try again, `
          + `as it did here, so at most that many datagrams were dropped by a full interface queue`,
      );
    } else {
      lines.push(
        `${noRoom} datagrams were dropped by a full interface queue on this PC (Linux `
          + `SndbufErrors, other programs' included): they never left, as the OS could not put `
          + `them on the link as fast as they were sent`,
      );
      explained += noRoom;
    }
  }
  return { lines, explained: Math.min(lost, explained) };
}
