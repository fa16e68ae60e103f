// External peers (nc, python3, tshark) that interop tests talk to.
import { spawnSync } from "node:child_process";
import { createConnection, createServer } from "node:net";
import process from "node:process";
import { RunningScript } from "./scripts.ts";

/** Tells whether `command` is on PATH. */
export function hasCommand(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * Returns a skip reason when `command` is missing on a developer's machine.
 * With SOCKLAB_REQUIRE_PEERS=1 (set by CI) a missing peer throws instead, so
 * CI can never pass by skipping.
 */
export function peerMissing(command: string, aptPackage: string): string | false {
  if (hasCommand(command)) return false;
  const reason = `${command} is not installed (apt-get install ${aptPackage})`;
  if (process.env.SOCKLAB_REQUIRE_PEERS === "1") throw new Error(reason);
  return reason;
}

/**
 * A TCP port free on 127.0.0.1 now (the system gave it out and took it back):
 * nothing listens on it, and a peer that cannot listen on port 0 and say
 * which port it got can be given it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Waits until something accepts connections on `port` of 127.0.0.1, for peers
 * that print nothing when ready; fails when `peer` exits or `timeoutMs` passes.
 */
export async function acceptsOn(
  port: number,
  peer: RunningScript,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const probe = createConnection({ host: "127.0.0.1", port }, () => {
        probe.destroy();
        resolve(true);
      });
      probe.once("error", () => resolve(false));
    });
    if (open) return;
    if (peer.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`peer did not listen on ${port}: ${peer.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts an echo server nobody here wrote, `ncat -l -k 127.0.0.1 PORT --exec
 * /bin/cat`, with `options` (such as --ssl) before it; kill it in a finally.
 */
export async function startNcatEcho(
  options: string[] = [],
): Promise<{ peer: RunningScript; port: number }> {
  const port = await freePort();
  const listen = ["-l", "-k", "127.0.0.1", String(port), "--exec", "/bin/cat"];
  const peer = new RunningScript("ncat", [...options, ...listen]);
  try {
    // ncat prints nothing when it listens: wait until a connection is taken.
    await acceptsOn(port, peer);
    return { peer, port };
  } catch (error) {
    await peer.kill();
    throw error;
  }
}
