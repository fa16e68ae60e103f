/**
 * Addresses as users type them and sockets report them, with no network
 * traffic: IP literals, `HOST:PORT` with IPv6 brackets and zones, CIDR ranges
 * for allow and deny lists, this machine's interfaces, and whether two
 * spellings name the same socket. Resolving names is `discovery`'s.
 * @module
 */
export { formatAddress, isIpLiteral, isIpv6 } from "./address.ts";
export { cidrContains, type CidrRange, isPeerAllowed, parseCidr } from "./cidr.ts";
export { localAddresses } from "./local_addresses.ts";
export { sameAddress } from "./same_address.ts";
