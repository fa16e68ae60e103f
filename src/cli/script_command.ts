import process from "node:process";
import { fileURLToPath } from "node:url";
import { detectRuntime } from "../net/runtime.ts";

/** The socklab folder, where the scripts and deno.json live. */
export const PROJECT_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The command line that runs one of socklab's scripts (e.g. `"server.ts"`)
 * with `args` on the runtime running this code, so a tool or test started
 * under Bun drives Bun and one started under Deno drives Deno.
 */
export function scriptCommand(script: string, args: string[]): [string, string[]] {
  const path = `${PROJECT_ROOT}${script}`;
  return detectRuntime() === "deno"
    ? [process.execPath, [
      "run",
      "-P",
      "--quiet",
      `--config=${PROJECT_ROOT}deno.json`,
      path,
      ...args,
    ]]
    : [process.execPath, [path, ...args]];
}
