// External peers (nc, python3, tshark) that interop tests talk to.
import { spawnSync } from "node:child_process";
import process from "node:process";

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
