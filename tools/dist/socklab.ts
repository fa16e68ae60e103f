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
import { typedName, useCompiledNames } from "../../src/cli/program_name.ts";
import { runMain } from "../../src/cli/run_main.ts";
import { UsageError } from "../../src/errors/usage_error.ts";
import { main as udpMain } from "../../udp.ts";

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  server: serverMain,
  client: clientMain,
  udp: udpMain,
};

/**
 * `socklab --help`: the three commands, and where each one's flags are
 * explained, with every command as this executable was typed (`./socklab`),
 * so each example pastes where it is read.
 */
export function socklabHelp(typed: string): string {
  const commands = [
    row(`${typed} server [options]`, ["a TCP server: echo, upper case or chat"], 33),
    row(
      `${typed} client [options] [MESSAGE...]`,
      ["a TCP client: requests, chat, ping, bench"],
      33,
    ),
    row(`${typed} udp server|client|ping|bench|check [options]`, [
      "a UDP server, client, ping, bench, and a",
      "checker of anyone's UDP server",
    ], 33),
    "",
    row(`${typed} COMMAND --help`, ["that command's flags, defaults and examples"], 33),
  ];
  const examples = [
    row(`${typed} server --host 0.0.0.0`, [
      "on the server PC; it prints the",
      "command for the other PCs",
    ], 45),
    row(`${typed} client --host 192.168.1.10 hello`, ["on another PC"], 45),
    `  ${typed} udp server --port 9000`,
  ];
  return [
    `Usage: ${typed} COMMAND [options]`,
    "",
    "socklab is server.ts, client.ts and udp.ts in one file, for lab PCs where",
    "neither Deno nor Bun is installed. Each command takes exactly the flags of",
    "its script:",
    "",
    ...commands,
    "",
    "Examples:",
    ...examples,
    "",
    "Exit status: 0 ok, 1 network failure, 2 bad command line.",
  ].join("\n");
}

// A help column: the description beside the command, or below it when the command is too long.
function row(command: string, description: string[], column: number): string {
  const indent = " ".repeat(column);
  const lead = `  ${command}`;
  const [first = "", ...rest] = description;
  const lines = lead.length + 2 <= column
    ? [lead.padEnd(column) + first]
    : [lead, indent + first];
  return [...lines, ...rest.map((line) => indent + line)].join("\n");
}

async function dispatch(typed: string, argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    printLine(socklabHelp(typed));
    return 0;
  }
  if (command === undefined) throw new UsageError("a command is needed: server, client or udp");
  const main = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (main === undefined) {
    throw new UsageError(`unknown command '${command}': use server, client or udp`);
  }
  return await runMain(`${typed} ${command}`, () => main(args));
}

if (import.meta.main) {
  // argv0 is what the shell was given (`./socklab`); argv[0] is "bun" in a compiled executable.
  const typed = typedName(process.argv0, process.platform);
  useCompiledNames(typed);
  await runMain(typed, () => dispatch(typed, process.argv.slice(2)));
}
