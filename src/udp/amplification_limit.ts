import { isIpv6 } from "../address/mod.ts";

/**
 * How many times the bytes an address sent a UDP server may send back to it
 * (RFC 9000 section 8). A UDP source address can be forged: without this
 * rule a server answering small requests with large replies (chargen's 512
 * bytes for an empty datagram) sends a victim many times what the attacker
 * spent (CVE-1999-0103).
 */
export const AMPLIFICATION_FACTOR = 3;

/** What a datagram costs on the wire beyond its payload: the IPv4 and UDP headers (20 + 8 bytes). */
export const UDP_IPV4_OVERHEAD = 28;
// The IPv6 header is 40 bytes.
const UDP_IPV6_OVERHEAD = 48;

const overheadFor = (host: string) => isIpv6(host) ? UDP_IPV6_OVERHEAD : UDP_IPV4_OVERHEAD;

// Addresses remembered at once; the oldest is forgotten first. Spoofed
// sources come without end, and forgetting one only costs replies larger
// than their own request (each request brings its own credit).
const DEFAULT_MAX_ADDRESSES = 4096;

/**
 * RFC 9000's anti-amplification rule for a UDP server, per source address
 * (IP, ports pooled, as a forged address's victim is the host): each byte
 * received from an address earns it {@linkcode AMPLIFICATION_FACTOR} bytes of
 * replies, and a reply that would spend more than it has earned is not sent.
 * Bytes as they cross the wire, headers included: what a victim's link
 * carries, and what lets a one-byte request still get a one-line error.
 */
export class AmplificationLimit {
  // Mutable entries, so the per-datagram path looks each address up once and never re-inserts.
  readonly #credit = new Map<string, { bytes: number; readonly overhead: number }>();
  readonly #maxAddresses: number;

  /** @param maxAddresses Most addresses remembered at once. @default {4096} */
  constructor(maxAddresses = DEFAULT_MAX_ADDRESSES) {
    this.#maxAddresses = maxAddresses;
  }

  /** A datagram with `bytes` of payload arrived from `host`. */
  received(host: string, bytes: number): void {
    let entry = this.#credit.get(host);
    if (entry === undefined) {
      if (this.#credit.size >= this.#maxAddresses) {
        this.#credit.delete(this.#credit.keys().next().value!);
      }
      entry = { bytes: 0, overhead: overheadFor(host) };
      this.#credit.set(host, entry);
    }
    // Not capped: replies an address earned may be owed for seconds (--delay).
    entry.bytes += AMPLIFICATION_FACTOR * (bytes + entry.overhead);
  }

  /** The most payload one datagram to `host` may carry now. */
  creditOf(host: string): number {
    const entry = this.#credit.get(host);
    return entry ? Math.max(0, entry.bytes - entry.overhead) : 0;
  }

  /** Spends a datagram with `bytes` of payload from `host`'s credit; false, spending nothing, when it has less. */
  spend(host: string, bytes: number): boolean {
    const entry = this.#credit.get(host);
    if (!entry || entry.bytes < bytes + entry.overhead) return false;
    entry.bytes -= bytes + entry.overhead;
    return true;
  }
}
