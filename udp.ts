/**
 * UDP server, client, ping and throughput bench for networking labs:
 * `deno run -qP udp.ts server`, `deno run -qP udp.ts client hello`,
 * `deno run -qP udp.ts ping`, `deno run -qP udp.ts bench --rate 50M`
 * (or `bun udp.ts ...`). See `udp.ts --help`.
 * @module
 */
import process from "node:process";
import { checkUdpServer, runClassCheck, runUdpCheck } from "./src/cli/check/mod.ts";
import { runFind } from "./src/cli/discovery/mod.ts";
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
      return runUdpClient(options);
    case "ping":
      return runUdpPing(options);
    case "bench":
      return runUdpBench(options);
    case "check":
      if (options.class) {
        return runClassCheck(
          { ...options.class, defaultPort: options.port, json: options.json },
          (student) => checkUdpServer({ ...options, host: student.host, port: student.port }),
        );
      }
      return runUdpCheck(options);
    case "find":
      return runFind({ protocol: "udp", timeoutMs: options.timeoutMs, json: options.json });
  }
}

if (import.meta.main) await runMain("udp.ts", () => main(process.argv.slice(2)));
