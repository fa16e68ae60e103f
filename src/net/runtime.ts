import { bunAdapter } from "./bun_adapter.ts";
import { denoAdapter } from "./deno_adapter.ts";
import type { RuntimeAdapter } from "./types.ts";

/** The runtimes socklab runs on. */
export type RuntimeName = RuntimeAdapter["name"];

/**
 * Names the runtime executing this code by its globals.
 * @throws {Error} on a runtime socklab does not support (Node.js, a browser).
 */
export function detectRuntime(): RuntimeName {
  if ("Deno" in globalThis) return "deno";
  if ("Bun" in globalThis) return "bun";
  throw new Error("socklab runs on Deno or Bun; this runtime is neither");
}

const ADAPTERS: Record<RuntimeName, RuntimeAdapter> = { deno: denoAdapter, bun: bunAdapter };

/** The adapter for the runtime executing this code. */
export const runtime: RuntimeAdapter = ADAPTERS[detectRuntime()];
