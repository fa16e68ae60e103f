/**
 * Addresses as users type them and sockets report them: resolving a host
 * (with `NAME.local` over multicast DNS), formatting `HOST:PORT` with IPv6
 * brackets and zones, CIDR ranges for allow and deny lists, and telling whether
 * two spellings name the same socket.
 * @module
 */
export { formatAddress, isIpLiteral, isIpv6 } from "./address.ts";
export { cidrContains, type CidrRange, isPeerAllowed, parseCidr } from "./cidr.ts";
export { localAddresses } from "./local_addresses.ts";
export { sameAddress } from "./same_address.ts";
