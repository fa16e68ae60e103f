// Two simulated lab PCs: network namespaces joined by a veth pair, built and
// deleted by the test, so socklab's scripts meet real ARP, ICMP and routes.
import { spawnSync } from "node:child_process";
import process from "node:process";
import { hasCommand } from "./peers.ts";
import { RunningScript, scriptCommand, type ScriptResult } from "./scripts.ts";

/** The two PCs and the addresses they have. */
export interface TwoPcs {
  /** Namespace names, unique to this test run. */
  readonly pc1: string;
  readonly pc2: string;
  /** Each PC's end of the veth pair (the `%zone` of its link-local address). */
  readonly link1: string;
  readonly link2: string;
  /** IPv4 addresses on the shared /24. */
  readonly ip1: string;
  readonly ip2: string;
  /** IPv6 link-local addresses, without a zone. */
  readonly linkLocal1: string;
  readonly linkLocal2: string;
  /** The /24 the PCs share, as `a.b.c.` to append a host number to. */
  readonly subnet: string;
  /** Runs a command line in a PC (`ip netns exec`) and fails on a non-zero exit. */
  sh(pc: string, ...argv: string[]): void;
  /** Deletes both namespaces and the veth pair; safe to call twice. */
  remove(): void;
}

let created = 0;

/**
 * Why the two PCs cannot be built here, or false when they can: namespaces
 * need root and iproute2. With SOCKLAB_REQUIRE_PEERS=1 (CI) a missing
 * requirement throws instead, so CI cannot pass by skipping.
 */
export function twoPcsUnavailable(): string | false {
  let reason: string | false = false;
  if (process.platform !== "linux") reason = "network namespaces exist only on Linux";
  else if (process.getuid?.() !== 0) reason = "network namespaces need root";
  else if (!hasCommand("ip")) reason = "ip is not installed (apt-get install iproute2)";
  if (reason && process.env.SOCKLAB_REQUIRE_PEERS === "1") throw new Error(reason);
  return reason;
}

/**
 * A short name part no other test file holds at the same time: parallel test
 * runners (`deno test --parallel`, `bun test --parallel`) run files at once,
 * and Deno's run them as workers of one process, so the pid alone repeats.
 */
function uniqueId(): string {
  const random = Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, "0");
  return `${process.pid % 1000}${random}${created++}`;
}

/**
 * Builds pc1 and pc2: a veth pair, 10.99.1.1/24 and 10.99.1.2/24, link-local
 * fe80::1 and fe80::2 (without duplicate address detection, so usable at once).
 * Call `remove()` in a finally or after hook.
 */
export function createTwoPcs(): TwoPcs {
  const id = uniqueId();
  const pc1 = `slab${id}a`;
  const pc2 = `slab${id}b`;
  // Interface names are at most 15 characters.
  const link1 = `sl${id}a`.slice(0, 15);
  const link2 = `sl${id}b`.slice(0, 15);
  const subnet = "10.99.1.";
  let removed = false;
  const pcs: TwoPcs = {
    pc1,
    pc2,
    link1,
    link2,
    ip1: `${subnet}1`,
    ip2: `${subnet}2`,
    linkLocal1: "fe80::1",
    linkLocal2: "fe80::2",
    subnet,
    sh: (pc, ...argv) => ip("netns", "exec", pc, ...argv),
    remove() {
      if (removed) return;
      removed = true;
      // Deleting a namespace deletes the veth end in it, and so its peer.
      for (const pc of [pc1, pc2]) spawnSync("ip", ["netns", "delete", pc], { stdio: "ignore" });
    },
  };
  try {
    ip("netns", "add", pc1);
    ip("netns", "add", pc2);
    ip("link", "add", link1, "netns", pc1, "type", "veth", "peer", "name", link2, "netns", pc2);
    for (const [pc, link, host] of [[pc1, link1, 1], [pc2, link2, 2]] as const) {
      ip("-n", pc, "link", "set", "lo", "up");
      // No automatic link-local address: the fixed one below is the only one.
      ip("-n", pc, "link", "set", link, "addrgenmode", "none");
      ip("-n", pc, "addr", "add", `${subnet}${host}/24`, "dev", link);
      ip("-n", pc, "addr", "add", `fe80::${host}/64`, "dev", link, "nodad");
      ip("-n", pc, "link", "set", link, "up");
    }
  } catch (error) {
    pcs.remove();
    throw error;
  }
  return pcs;
}

function ip(...argv: string[]): void {
  run("ip", argv);
}

function run(command: string, argv: string[]): void {
  const result = spawnSync(command, argv, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${command} ${argv.join(" ")} failed: ${result.stderr || result.error}`);
  }
}

/** Starts one of socklab's scripts in `pc`, as a user there would type it. */
export function startScriptIn(pc: string, script: string, args: string[]): RunningScript {
  const [binary, argv] = scriptCommand(script, args);
  return new RunningScript("ip", ["netns", "exec", pc, binary, ...argv]);
}

/** Runs a script in `pc` to completion; kills it after `timeoutMs`. */
export async function runScriptIn(
  pc: string,
  script: string,
  args: string[],
  timeoutMs = 15_000,
): Promise<ScriptResult> {
  const running = startScriptIn(pc, script, args);
  const timer = setTimeout(() => running.child.kill("SIGKILL"), timeoutMs);
  running.child.stdin!.end();
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why a link cannot be slowed here with `tc qdisc ... tbf`, or false when it
 * can: tried once on the loopback of a namespace made for the purpose.
 */
export function slowLinkUnavailable(): string | false {
  const unavailable = twoPcsUnavailable();
  if (unavailable) return unavailable;
  if (!hasCommand("tc")) return "tc is not installed (apt-get install iproute2)";
  const probe = `slabtbf${uniqueId()}`;
  try {
    run("ip", ["netns", "add", probe]);
    run("ip", ["netns", "exec", probe, ...slowLinkCommand("lo", "1mbit", 50)]);
    return false;
  } catch (error) {
    return `this kernel cannot slow a link with tc's tbf qdisc: ${(error as Error).message.trim()}`;
  } finally {
    spawnSync("ip", ["netns", "delete", probe], { stdio: "ignore" });
  }
}

/**
 * The `tc` command that limits what leaves `link` to `rate` (e.g. "10mbit"),
 * with a queue of `queueMs`: one longer than a socket's send buffer at that
 * rate makes a fast sender find its buffer full rather than its datagrams dropped.
 */
export function slowLinkCommand(link: string, rate: string, queueMs: number): string[] {
  const tbf = ["rate", rate, "burst", "32kbit", "latency", `${queueMs}ms`];
  return ["tc", "qdisc", "add", "dev", link, "root", "tbf", ...tbf];
}
