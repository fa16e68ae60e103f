import { escapeControl } from "../bytes/mod.ts";
import { UsageError } from "../errors/mod.ts";
import { hostFlag, integerFlag } from "./flags.ts";

/** Where to connect or listen, from `--host` and `--port`. */
export interface Endpoint {
  host: string;
  port: number;
}

/**
 * Reads `--host` and `--port` together. `--host` may carry the port, as users
 * copy it from a browser bar or another tool: `10.0.0.1:9000`, `pc1:9000`,
 * `[::1]:9000`, `[fe80::1%eth0]:9000`. A bare IPv6 address (`::1`,
 * `fe80::1%eth0`) has more than one colon and stays an address: its port
 * needs the brackets, as in a URL.
 * @param host The `--host` value.
 * @param port The `--port` value, or its default.
 * @param portGiven Whether the command line set `--port`; then a different port in `--host` is an error.
 * @param minPort 0 where the system may pick (servers), 1 where a real port is needed (clients).
 * @throws {UsageError} naming the flag, what is wrong and the value.
 * @example
 * ```ts
 * import { endpointFlags } from "./endpoint_flags.ts";
 * endpointFlags("[::1]:9001", "9000", false, 1); // { host: "::1", port: 9001 }
 * ```
 */
export function endpointFlags(
  host: string,
  port: string,
  portGiven: boolean,
  minPort: number,
): Endpoint {
  const split = splitHost(hostFlag(host));
  if (split.port === undefined) {
    return { host: split.host, port: integerFlag("port", port, minPort, 65535) };
  }
  const shown = escapeControl(host);
  const fromHost = /^\d+$/.test(split.port) ? Number(split.port) : NaN;
  if (!(fromHost >= minPort && fromHost <= 65535)) {
    throw new UsageError(
      `--host '${shown}': the port after ':' must be an integer from ${minPort} to 65535, got '${
        escapeControl(split.port)
      }'`,
    );
  }
  if (portGiven && integerFlag("port", port, minPort, 65535) !== fromHost) {
    throw new UsageError(
      `--host '${shown}' names port ${fromHost} but --port says ${port}: give the port once`,
    );
  }
  return { host: split.host, port: fromHost };
}

function splitHost(value: string): { host: string; port?: string } {
  if (value.startsWith("[")) {
    const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(value);
    if (!bracketed) {
      throw new UsageError(
        `--host '${
          escapeControl(value)
        }' is not an address: write an IPv6 address with its port as [ADDRESS]:PORT, such as [::1]:9000`,
      );
    }
    return { host: bracketed[1]!, port: bracketed[2] };
  }
  const colon = value.indexOf(":");
  if (colon === -1 || colon !== value.lastIndexOf(":")) return { host: value };
  const host = value.slice(0, colon);
  if (host.trim() === "") {
    throw new UsageError(
      `--host '${escapeControl(value)}' has no address before the port, such as 127.0.0.1${value}`,
    );
  }
  return { host, port: value.slice(colon + 1) };
}
