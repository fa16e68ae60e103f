// What the kernel says of a UDP socket's receive buffer, for the tests of SO_RCVBUF.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import process from "node:process";
import { hasCommand } from "./peers.ts";

/** Why these tests cannot run here, or false when they can. */
export const receiveBufferSkip: string | false = process.platform !== "linux"
  ? "the receive buffer is only set on Linux"
  : !hasCommand("ss")
  ? "ss (iproute2) is not installed"
  : false;

/** A `net.core` setting; Deno lets only --allow-all read /proc/sys, so another program reads it. */
export function netCore(name: "rmem_max" | "rmem_default"): number {
  return Number(execFileSync("cat", [`/proc/sys/net/core/${name}`], { encoding: "utf8" }).trim());
}

/** What Linux reports for a request of `asked` bytes: capped at rmem_max, then doubled. */
export function reportedFor(asked: number): number {
  return 2 * Math.min(asked, netCore("rmem_max"));
}

/** The kernel's receive buffer of the UDP socket bound to `port`, from `ss -m`. */
export function kernelBufferOf(port: number, family: "-4" | "-6" = "-4"): number {
  const out = execFileSync("ss", ["-uanmH", family, "sport", "=", `:${port}`], {
    encoding: "utf8",
  });
  const match = out.match(/\brb(\d+)/);
  assert.ok(match, `ss shows no UDP socket on port ${port}: ${out}`);
  return Number(match[1]);
}
