/**
 * IPv4 and IPv6 address ranges in CIDR notation (`10.0.0.0/8`, `fd00::/8`, or
 * a single address), for a server's allow and deny lists.
 */
export interface CidrRange {
  readonly text: string;
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly network: Uint8Array;
  readonly prefixLength: number;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const bare = text.replace(/%.*$/, "");
  let tail: Uint8Array | undefined;
  let body = bare;
  // A dotted IPv4 tail (::ffff:192.0.2.1) fills the last 4 bytes.
  const lastColon = bare.lastIndexOf(":");
  if (bare.includes(".") && lastColon !== -1) {
    tail = parseIpv4(bare.slice(lastColon + 1));
    if (!tail) return undefined;
    body = `${bare.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const group = all[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  }
  if (tail) bytes.set(tail, 12);
  return bytes;
}

/** Parses an IPv4 or IPv6 literal into its bytes; `undefined` when it is neither. */
export function parseIp(text: string): Uint8Array | undefined {
  return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
}

/**
 * Parses `10.0.0.0/8`, `192.168.1.7`, `fd00::/8` or `::1`.
 * @throws {RangeError} naming the text and what is wrong with it.
 */
export function parseCidr(text: string): CidrRange {
  const [address = "", prefix] = text.trim().split("/");
  const network = parseIp(address);
  if (!network) {
    throw new RangeError(`'${text}' is not an IPv4 or IPv6 address or CIDR range`);
  }
  const bits = network.length * 8;
  const prefixLength = prefix === undefined ? bits : Number(prefix);
  if (!/^\d+$/.test(prefix ?? String(bits)) || prefixLength > bits) {
    throw new RangeError(`'${text}' has a prefix length outside 0..${bits}`);
  }
  return { text, network, prefixLength };
}

// An IPv4 client on a dual-stack (::) listener shows up as ::ffff:a.b.c.d.
function unmapIpv4(bytes: Uint8Array): Uint8Array {
  const mapped = bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0)
    && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.subarray(12) : bytes;
}

/** Tells whether `address` (an IP literal) lies in `range`. */
export function cidrContains(range: CidrRange, address: string): boolean {
  const parsed = parseIp(address);
  if (!parsed) return false;
  const bytes = unmapIpv4(parsed);
  if (bytes.length !== range.network.length) return false;
  let bits = range.prefixLength;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i]! & mask) !== (range.network[i]! & mask)) return false;
  }
  return true;
}

/**
 * Decides whether a peer may connect: denied if it matches any `deny` range;
 * otherwise allowed if `allow` is empty or it matches an `allow` range.
 */
export function isPeerAllowed(
  address: string,
  allow: readonly CidrRange[],
  deny: readonly CidrRange[],
): boolean {
  // Checked per datagram by a UDP server, where most run with no lists at all.
  if (deny.length === 0 && allow.length === 0) return true;
  if (deny.some((range) => cidrContains(range, address))) return false;
  return allow.length === 0 || allow.some((range) => cidrContains(range, address));
}
