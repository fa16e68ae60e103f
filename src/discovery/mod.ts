/**
 * DNS-SD over multicast DNS (RFC 6762, RFC 6763) for socklab: servers announce
 * themselves as `_socklab._tcp` or `_socklab._udp`, clients list them and
 * resolve `HOST.local`; `resolveHost` asks the system resolver first, and
 * multicast DNS for `.local` names. Engines only: they return data, the CLI renders it.
 * @module
 */
export { announce, type Announcement, type AnnounceOptions } from "./announce.ts";
export { browse, type BrowseOptions, type FoundServer } from "./browse.ts";
export {
  hostLabel,
  interfacesFor,
  interfacesText,
  isAnnounceable,
  queryInterfaces,
} from "./local_host.ts";
export { type InstanceFound, lookupInstance } from "./lookup_instance.ts";
export { MdnsUnavailable } from "./mdns_socket.ts";
export { resolveLocalName } from "./resolve.ts";
export { LOCAL_NAME_TIMEOUT_MS, resolveHost } from "./resolve_host.ts";
export { type ServiceDescription, type ServiceProtocol } from "./service_records.ts";
