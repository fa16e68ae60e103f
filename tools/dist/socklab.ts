/**
 * The one `socklab` executable that `npm run dist` compiles for lab PCs with
 * no runtime installed: `socklab server ...`, `socklab client ...` and
 * `socklab udp ...` take exactly the flags of server.ts, client.ts and udp.ts,
 * whose `main` each command calls in this process.
 * @module
 */
import process from "node:process";
import { main as clientMain } from "../../client.ts";
import { main as serverMain } from "../../server.ts";
import { printLine } from "../../src/cli/output.ts";
import { useCompiledNames } from "../../src/cli/program_name.ts";
import { runMain } from "../../src/cli/run_main.ts";
import { UsageError } from "../../src/cli/usage_error.ts";
import { main as udpMain } from "../../udp.ts";

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  server: serverMain,
  client: clientMain,
  udp: udpMain,
};

/** `socklab --help`: the three commands, and where each one's flags are explained. */
export const SOCKLAB_HELP = `Usage: socklab COMMAND [options]

socklab is server.ts, client.ts and udp.ts in one file, for lab PCs where
neither Deno nor Bun is installed. Each command takes exactly the flags of
its script:

  socklab server [options]       a TCP server: echo, upper case or chat
  socklab client [options] [MESSAGE...]
                                 a TCP client: requests, chat, ping, bench
  socklab udp server|client|ping|bench [options]
                                 a UDP server, client, ping and bench

  socklab COMMAND --help         that command's flags, defaults and examples

Examples:
  socklab server --host 0.0.0.0              on the server PC; it prints the
                                             command for the other PCs
  socklab client --host 192.168.1.10 hello   on another PC
  socklab udp server --port 9000

Exit status: 0 ok, 1 network failure, 2 bad command line.
`;

async function dispatch(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    printLine(SOCKLAB_HELP.trimEnd());
    return 0;
  }
  if (command === undefined) throw new UsageError("a command is needed: server, client or udp");
  const main = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (main === undefined) {
    throw new UsageError(`unknown command '${command}': use server, client or udp`);
  }
  return await runMain(`socklab ${command}`, () => main(args));
}

if (import.meta.main) {
  useCompiledNames();
  await runMain("socklab", () => dispatch(process.argv.slice(2)));
}
