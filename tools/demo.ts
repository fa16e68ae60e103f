// `npm start`: a server and a client talking, shown as the commands a student
// would type on two PCs, with what each prints.
import { spawn } from "node:child_process";
import { printLine } from "../src/cli/output.ts";
import { runMain } from "../src/cli/run_main.ts";
import { detectRuntime } from "../src/net/runtime.ts";
import { scriptCommand } from "./script_command.ts";

const shown = (script: string, args: string[]) =>
  `${detectRuntime() === "deno" ? "deno run -qP" : "bun"} ${script} ${
    args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(" ")
  }`;

function indent(text: string): string {
  return text.trimEnd().split("\n").filter(Boolean).map((line) => `    ${line}`).join("\n");
}

/** Runs a client to completion and shows its command line and output. */
function runClient(args: string[]): Promise<void> {
  printLine(`\n[PC 2] $ ${shown("client.ts", args)}`);
  const [command, argv] = scriptCommand("client.ts", args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => {
      if (output) printLine(indent(output));
      code === 0 ? resolve() : reject(new Error(`client.ts exited with ${code}`));
    });
  });
}

await runMain("demo", async () => {
  const serverArgs = ["--port", "0", "--mode", "upper", "--verbose"];
  printLine(`[PC 1] $ ${shown("server.ts", serverArgs)}`);
  const [command, argv] = scriptCommand("server.ts", serverArgs);
  const server = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let serverLog = "";
  server.stderr.on("data", (d) => (serverLog += d));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const match = out.match(/listening on tcp:\/\/\S+:(\d+)/);
      if (match) resolve(Number(match[1]));
    });
    server.on("close", (code) => reject(new Error(`server.ts exited with ${code}: ${serverLog}`)));
  });
  printLine(indent(`listening on tcp://127.0.0.1:${port}`));
  try {
    await runClient(["--port", String(port), "hello", "socket lab"]);
    await runClient(["--port", String(port), "--count", "3", "--interval", "200ms"]);
  } finally {
    const stopped = new Promise((resolve) => server.on("close", resolve));
    server.kill("SIGINT");
    await stopped;
    printLine(`\n[PC 1] server log (stderr), after Ctrl-C:`);
    printLine(indent(serverLog));
  }
  printLine(
    "\nNext: run the server on one PC with --host 0.0.0.0 and the client on another with --host <its IP>.",
  );
});
