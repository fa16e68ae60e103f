/**
 * UDP server, client, ping and throughput bench for networking labs:
 * `deno run -qP udp.ts server`, `deno run -qP udp.ts client hello`,
 * `deno run -qP udp.ts ping`, `deno run -qP udp.ts bench --rate 50M`
 * (or `bun udp.ts ...`). See `udp.ts --help`.
 * @module
 */
import process from "node:process";
import { judgeUdpServer } from "./src/check/mod.ts";
import { runClassCheck, runUdpCheck } from "./src/cli/check/mod.ts";
import { resolveInstanceTarget, runFind, type Target } from "./src/cli/discovery/mod.ts";
import { printLine } from "./src/cli/output.ts";
import { asTypedHere } from "./src/cli/program_name.ts";
import { runMain } from "./src/cli/run_main.ts";
import {
  parseUdpArgs,
  runUdpBench,
  runUdpClient,
  runUdpPing,
  runUdpServer,
  UDP_HELP,
} from "./src/cli/udp/mod.ts";

// --host "Ani": the instance name udp.ts find lists, looked up once before the command runs.
async function byInstanceName<T extends Target>(options: T): Promise<T> {
  return { ...options, ...(await resolveInstanceTarget(options, "udp")) };
}

/** Runs `udp.ts` with `args` and returns its exit code. */
export function main(args: string[]): Promise<number> {
  const options = parseUdpArgs(args);
  switch (options.command) {
    case "help":
      printLine(asTypedHere(UDP_HELP).trimEnd());
      return Promise.resolve(0);
    case "server":
      return runUdpServer(options);
    case "client":
      return byInstanceName(options).then(runUdpClient);
    case "ping":
      return byInstanceName(options).then(runUdpPing);
    case "bench":
      return byInstanceName(options).then(runUdpBench);
    case "check":
      if (options.class) {
        return runClassCheck(
          { ...options.class, defaultPort: options.port, json: options.json, lang: options.lang },
          (student) => judgeUdpServer({ ...options, host: student.host, port: student.port }),
        );
      }
      return byInstanceName(options).then(runUdpCheck);
    case "find":
      return runFind({ protocol: "udp", timeoutMs: options.timeoutMs, json: options.json });
  }
}

if (import.meta.main) await runMain("udp.ts", () => main(process.argv.slice(2)));
