// Deno asks on a terminal for a permission that is neither granted nor denied, and
// keeps asking after a run has failed. What a run can do without (the debug switch,
// the address list in a banner) is looked up with querySync, which never asks.
import { detectRuntime, type RuntimeName } from "./runtime.ts";

type Query =
  | { name: "env"; variable: string }
  | { name: "sys"; kind: "networkInterfaces" | "hostname" };

const GRANTED: Record<RuntimeName, (query: Query) => boolean> = {
  deno: (query) => Deno.permissions.querySync(query).state === "granted",
  // Bun has no permission system: everything is granted.
  bun: () => true,
};

const granted = GRANTED[detectRuntime()];

/**
 * Whether this program may read the environment variable `name` without the
 * runtime asking the user first.
 */
export function mayReadEnv(name: string): boolean {
  return granted({ name: "env", variable: name });
}

/** Whether this program may list the network interfaces without the runtime asking first. */
export function mayListInterfaces(): boolean {
  return granted({ name: "sys", kind: "networkInterfaces" });
}

/** Whether this program may read the host name (for `HOST.local`) without the runtime asking first. */
export function mayReadHostname(): boolean {
  return granted({ name: "sys", kind: "hostname" });
}
