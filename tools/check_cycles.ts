// Fails when the project's own modules import each other in a cycle: `npm run
// check` runs it, so the layers (scripts, CLI, library, framing, adapter) stay
// a one-way stack. Usage: deno run -R tools/check_cycles.ts [ROOT...]
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import process from "node:process";

const SKIP = new Set(["node_modules", ".git", "out"]);
// Static imports and re-exports of relative modules; `import type` counts too,
// since a type cycle is still two files that cannot be read one after the other.
const IMPORT = /^\s*(?:import|export)\b[^'"]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/gm;

function sourceFiles(dir: string, found: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, found);
    else if (path.endsWith(".ts")) found.push(path);
  }
  return found;
}

function importsOf(file: string): string[] {
  // Comments hold runnable examples that import their own module; they are not edges.
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(
    /^\s*\/\/.*$/gm,
    "",
  );
  return [...text.matchAll(IMPORT)].map((match) => resolve(dirname(file), match[1]!));
}

/** Every cycle found by a depth-first walk, each as the files that form it. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      const seen = state.get(next);
      if (seen === "open") cycles.push(path.slice(path.indexOf(next)));
      else if (seen === undefined) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

if (import.meta.main) {
  const roots = process.argv.slice(2);
  const files = (roots.length > 0 ? roots : ["."]).flatMap((root) => sourceFiles(resolve(root)));
  const graph = new Map(files.map((file) => [file, importsOf(file)]));
  const cycles = findCycles(graph);
  for (const cycle of cycles) {
    const names = cycle.map((file) => relative(process.cwd(), file));
    console.error(`import cycle: ${[...names, names[0]].join(" -> ")}`);
  }
  if (cycles.length > 0) process.exit(1);
  console.log(`no import cycle in ${files.length} modules`);
}
