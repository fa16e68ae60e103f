import process from "node:process";
import { fileURLToPath } from "node:url";
import { detectRuntime, type RuntimeName } from "../src/net/runtime.ts";

/** The socklab folder, where the scripts and deno.json live. */
export const PROJECT_ROOT: string = fileURLToPath(new URL("../", import.meta.url));

/**
 * The command line that runs one of socklab's scripts (e.g. `"server.ts"`)
 * with `args` on `runtime`, using the binary npm installed.
 */
export function scriptCommandOn(
  runtime: RuntimeName,
  script: string,
  args: string[],
): [string, string[]] {
  const path = `${PROJECT_ROOT}${script}`;
  const binary = `${PROJECT_ROOT}node_modules/.bin/${runtime}`;
  return runtime === "deno"
    ? [binary, ["run", "-qP", path, ...args]]
    : [binary, [path, ...args]];
}

/**
 * The command line that runs one of socklab's scripts with `args` on the
 * runtime running this code, so a tool or test started under Bun drives Bun
 * and one started under Deno drives Deno.
 */
export function scriptCommand(script: string, args: string[]): [string, string[]] {
  const runtime = detectRuntime();
  const [binary, argv] = scriptCommandOn(runtime, script, args);
  // The running binary itself, wherever it was installed.
  return [process.execPath || binary, argv];
}
