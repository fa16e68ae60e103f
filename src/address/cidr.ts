/**
 * IPv4 and IPv6 address ranges in CIDR notation (`10.0.0.0/8`, `fd00::/8`, or
 * a single address), for a server's allow and deny lists.
 *
 * Every comparison happens in the IPv6 address space, where an IPv4 address
 * a.b.c.d is the IPv4-mapped address ::ffff:a.b.c.d and an IPv4 prefix n is
 * the IPv6 prefix 96 + n: that is how an IPv4 client looks to a dual-stack
 * (`::`) listener, so a rule means the same hosts whichever way it is written
 * and whichever way the peer's address arrives. `127.0.0.1`,
 * `::ffff:127.0.0.1` and `::ffff:7f00:1` are one host; `::ffff:0:0/96` is
 * every IPv4 address; `::/0` is every address of both families; and a mapped
 * rule shorter than /96 (`::ffff:0:0/95`) covers IPv6 addresses beyond the
 * mapped block, exactly as its bits say.
 */
export interface CidrRange {
  /** The rule as written. */
  readonly text: string;
  /** As written: 4 bytes for IPv4, 16 for IPv6. */
  readonly network: Uint8Array;
  /** As written: 0 to 32 for IPv4, 0 to 128 for IPv6. */
  readonly prefixLength: number;
  /** The network in the IPv6 space every comparison uses (IPv4 as ::ffff:a.b.c.d). */
  readonly ipv6Network: Uint8Array;
  /** The prefix length in that space: an IPv4 prefix plus 96. */
  readonly ipv6PrefixLength: number;
}

/** Where an IPv4 address sits inside its IPv4-mapped IPv6 form. */
const MAPPED_OFFSET = 12;
const MAPPED_PREFIX_BITS = MAPPED_OFFSET * 8;

const DOT = 0x2e;
const COLON = 0x3a;

// The peer address of the call in progress. Allow and deny lists are checked
// per UDP datagram, so the peer is parsed into this one buffer, once per call,
// rather than into fresh arrays once per rule.
const peerScratch = new Uint8Array(16);

/** The value of a hex digit, or -1. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

// Dotted quad text[from..end) into out[at..at+4]: four decimal parts of one to
// three digits, each at most 255.
function scanIpv4(text: string, from: number, end: number, out: Uint8Array, at: number): boolean {
  let i = from;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= end || text.charCodeAt(i) !== DOT) return false;
      i++;
    }
    let value = 0;
    let digits = 0;
    while (i < end && digits < 4) {
      const code = text.charCodeAt(i);
      if (code < 0x30 || code > 0x39) break;
      value = value * 10 + code - 0x30;
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || value > 255) return false;
    out[at + part] = value;
  }
  return i === end;
}

// IPv6 text[0..end) into out (16 bytes): up to eight groups of one to four hex
// digits, one `::` standing for at least one zero group, and optionally a
// dotted IPv4 tail for the last two groups.
function scanIpv6(text: string, end: number, out: Uint8Array): boolean {
  let i = 0;
  let groups = 0;
  let gap = -1;
  if (end >= 2 && text.charCodeAt(0) === COLON && text.charCodeAt(1) === COLON) {
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let value = 0;
    let digits = 0;
    let j = i;
    for (; j < end; j++) {
      const digit = hexValue(text.charCodeAt(j));
      if (digit < 0) break;
      value = value * 16 + digit;
      digits++;
    }
    if (j < end && text.charCodeAt(j) === DOT) {
      if (groups > 6 || !scanIpv4(text, i, end, out, groups * 2)) return false;
      groups += 2;
      break;
    }
    if (digits === 0 || digits > 4 || groups === 8) return false;
    out[groups * 2] = value >> 8;
    out[groups * 2 + 1] = value & 0xff;
    groups++;
    i = j;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) === COLON) {
      if (gap !== -1) return false;
      gap = groups;
      i++;
    } else if (i === end) {
      // A single trailing colon.
      return false;
    }
  }
  if (gap === -1) return groups === 8;
  if (groups >= 8) return false;
  // Slide the groups after `::` to the end and zero the groups it stands for.
  const tailBytes = (groups - gap) * 2;
  out.copyWithin(16 - tailBytes, gap * 2, groups * 2);
  out.fill(0, gap * 2, 16 - tailBytes);
  return true;
}

/**
 * Parses an IPv4 or IPv6 literal into `out` in the IPv6 space (IPv4 as
 * ::ffff:a.b.c.d). Returns 4 or 6 for the family as written, 0 for neither.
 * An IPv6 zone (`fe80::1%eth0`) is ignored: peers report it inconsistently.
 */
function parseIpv6Space(text: string, out: Uint8Array): 0 | 4 | 6 {
  const percent = text.indexOf("%");
  const end = percent === -1 ? text.length : percent;
  if (text.indexOf(":") === -1) {
    if (percent !== -1 || !scanIpv4(text, 0, end, out, MAPPED_OFFSET)) return 0;
    out.fill(0, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    return 4;
  }
  return scanIpv6(text, end, out) ? 6 : 0;
}

/**
 * Parses an IPv4 or IPv6 literal into its bytes: 4 for IPv4, 16 for IPv6
 * (an IPv4-mapped address stays 16 bytes); `undefined` when it is neither.
 * @example
 * ```ts
 * import { parseIp } from "./cidr.ts";
 * if (parseIp("10.0.0.1")?.length !== 4 || parseIp("1.2.3") !== undefined) throw new Error();
 * ```
 */
export function parseIp(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(16);
  const family = parseIpv6Space(text, bytes);
  if (family === 0) return undefined;
  return family === 4 ? bytes.slice(MAPPED_OFFSET) : bytes;
}

/**
 * Parses `10.0.0.0/8`, `192.168.1.7`, `fd00::/8`, `::1` or `::ffff:10.0.0.0/104`
 * (the same range as `10.0.0.0/8`). Space around the whole text is ignored;
 * the prefix length is plain decimal digits after a single `/`.
 * @throws {RangeError} naming the text and what is wrong with it.
 * @example
 * ```ts
 * import { parseCidr } from "./cidr.ts";
 * if (parseCidr("::ffff:10.0.0.0/104").ipv6PrefixLength !== 104) throw new Error();
 * ```
 */
export function parseCidr(text: string): CidrRange {
  const trimmed = text.trim();
  const slash = trimmed.indexOf("/");
  const address = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const ipv6Network = new Uint8Array(16);
  const family = parseIpv6Space(address, ipv6Network);
  if (family === 0) {
    throw new RangeError(`'${text}' is not an IPv4 or IPv6 address or CIDR range`);
  }
  const bits = family === 4 ? 32 : 128;
  const prefix = slash === -1 ? undefined : trimmed.slice(slash + 1);
  // Digits only: Number() would also take "", " 8", "+8", "0x8" and "8e0".
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) {
    throw new RangeError(
      `'${text}' needs a prefix length of 0 to ${bits} after one '/', such as ${
        family === 4 ? "10.0.0.0/8" : "fd00::/8"
      }`,
    );
  }
  const prefixLength = prefix === undefined ? bits : Number(prefix);
  if (prefixLength > bits) {
    throw new RangeError(`'${text}' has a prefix length outside 0..${bits}`);
  }
  return {
    text,
    network: family === 4 ? ipv6Network.slice(MAPPED_OFFSET) : ipv6Network,
    prefixLength,
    ipv6Network,
    ipv6PrefixLength: family === 4 ? prefixLength + MAPPED_PREFIX_BITS : prefixLength,
  };
}

// Whether the first `range.ipv6PrefixLength` bits of `peer` (16 bytes) match.
function matches(range: CidrRange, peer: Uint8Array): boolean {
  const network = range.ipv6Network;
  let bits = range.ipv6PrefixLength;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((peer[i]! & mask) !== (network[i]! & mask)) return false;
  }
  return true;
}

/**
 * Tells whether `address` (an IP literal) lies in `range`, comparing in the
 * IPv6 space so that `127.0.0.1` and `::ffff:127.0.0.1` are the same host.
 * @example
 * ```ts
 * import { cidrContains, parseCidr } from "./cidr.ts";
 * if (!cidrContains(parseCidr("::ffff:127.0.0.1"), "127.0.0.1")) throw new Error();
 * ```
 */
export function cidrContains(range: CidrRange, address: string): boolean {
  return parseIpv6Space(address, peerScratch) !== 0 && matches(range, peerScratch);
}

/**
 * Decides whether a peer may connect: denied if it matches any `deny` range;
 * otherwise allowed if `allow` is empty or it matches an `allow` range.
 * A peer address that is not an IP literal matches no range.
 */
export function isPeerAllowed(
  address: string,
  allow: readonly CidrRange[],
  deny: readonly CidrRange[],
): boolean {
  // Checked per datagram by a UDP server, where most run with no lists at all.
  if (deny.length === 0 && allow.length === 0) return true;
  if (parseIpv6Space(address, peerScratch) === 0) return allow.length === 0;
  // Index loops: no iterator or closure per datagram.
  for (let i = 0; i < deny.length; i++) if (matches(deny[i]!, peerScratch)) return false;
  if (allow.length === 0) return true;
  for (let i = 0; i < allow.length; i++) if (matches(allow[i]!, peerScratch)) return true;
  return false;
}
