// The records one socklab server answers for (RFC 6763 section 4 to 6, RFC 6762
// section 10 for the TTLs): where to find it (PTR, SRV), what it is (TXT) and
// where its host is (A, AAAA), so HOST.local resolves on a PC without a responder.
import { type DnsName, type DnsRecord, RR } from "./dns_message.ts";

/** `"tcp"` for server.ts, `"udp"` for udp.ts server. */
export type ServiceProtocol = "tcp" | "udp";

/** The service type browsers ask for: `_socklab._tcp.local`. */
export function serviceType(protocol: ServiceProtocol): DnsName {
  return ["_socklab", `_${protocol}`, "local"];
}

/** The meta-query name that lists every service type on the LAN (RFC 6763 section 9). */
export const SERVICE_TYPES_NAME: DnsName = ["_services", "_dns-sd", "_udp", "local"];

/** One announced server. */
export interface ServiceDescription {
  readonly protocol: ServiceProtocol;
  /** The instance name users see, e.g. `lab-pc-07 echo`. */
  readonly instance: string;
  /** This host's name without `.local`. */
  readonly hostLabel: string;
  readonly port: number;
  /** This host's addresses to answer A and AAAA with. */
  readonly addresses: readonly string[];
  /** `key=value` pairs of the TXT record. */
  readonly txt: Readonly<Record<string, string>>;
}

// Host records change with DHCP; the rest changes only when the server restarts.
const HOST_TTL = 120;
const SERVICE_TTL = 4500;

/** The instance's full name: `Ani._socklab._tcp.local`. */
export function instanceName(service: ServiceDescription): DnsName {
  return [service.instance, ...serviceType(service.protocol)];
}

/** The host's name: `lab-pc-07.local`. */
export function hostName(service: ServiceDescription): DnsName {
  return [service.hostLabel, "local"];
}

/** Every record of the service; with `goodbye`, with TTL 0 (RFC 6762 section 10.1). */
export function serviceRecords(service: ServiceDescription, goodbye = false): DnsRecord[] {
  const ttl = (seconds: number) => (goodbye ? 0 : seconds);
  const instance = instanceName(service);
  const host = hostName(service);
  const type = serviceType(service.protocol);
  return [
    {
      name: type,
      ttl: ttl(SERVICE_TTL),
      cacheFlush: false,
      data: { type: RR.PTR, target: instance },
    },
    {
      name: instance,
      ttl: ttl(HOST_TTL),
      cacheFlush: true,
      data: { type: RR.SRV, priority: 0, weight: 0, port: service.port, target: host },
    },
    {
      name: instance,
      ttl: ttl(SERVICE_TTL),
      cacheFlush: true,
      data: {
        type: RR.TXT,
        entries: Object.entries(service.txt).map(([key, value]) => `${key}=${value}`),
      },
    },
    {
      name: SERVICE_TYPES_NAME,
      ttl: ttl(SERVICE_TTL),
      cacheFlush: false,
      data: { type: RR.PTR, target: type },
    },
    ...service.addresses.map((address): DnsRecord => ({
      name: host,
      ttl: ttl(HOST_TTL),
      cacheFlush: true,
      data: address.includes(":") ? { type: RR.AAAA, address } : { type: RR.A, address },
    })),
  ];
}
