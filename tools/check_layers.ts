// Fails when `src/` breaks its layering: a package importing one above it, a
// package reaching past another's `mod.ts` into its private files, a folder
// the layer list does not know, or any import cycle between files. `npm run
// check` runs it, so the library stays a one-way stack with the CLI on top.
// Usage: deno run -R tools/check_layers.ts [ROOT]
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import process from "node:process";

/**
 * The packages of `src/`, bottom first: each may import only those before it.
 * A file belongs to the longest folder here that holds it, so a folder inside
 * a package (`check/lang/`) is part of it. Why this order: docs/architecture.md.
 */
export const LAYERS: readonly string[] = [
  "src/bytes",
  "src/async",
  "src/net",
  "src/framing",
  "src/address",
  "src/discovery",
  "src/message",
  "src/tcp",
  "src/udp",
  "src/errors",
  "src/tls",
  "src/modes",
  "src/measure",
  "src/check",
  "src/cli",
  "src/cli/throughput",
  "src/cli/narration",
  "src/cli/tls",
  "src/cli/discovery",
  "src/cli/check",
  "src/cli/udp",
  "src/cli/client",
  "src/cli/server",
];

const SKIP = new Set(["node_modules", ".git", "out"]);
// Static imports, side-effect imports, re-exports and literal dynamic imports of relative modules;
// `import type` counts too: a type edge still ties one package to another.
const IMPORT =
  /(?:^\s*(?:import|export)\b[^'"]*?\bfrom\s*|^\s*import\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/gm;

/** One broken rule, with the files that break it. */
export interface LayerViolation {
  readonly rule: "upward" | "private" | "unlisted" | "cycle";
  readonly message: string;
}

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
  return [...text.matchAll(IMPORT)].map((match) => resolve(dirname(file), match[1]!))
    .filter((path) => path.endsWith(".ts"));
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

/** The package (a folder of {@linkcode LAYERS}, relative to root) that holds `file`, if any. */
function packageOf(root: string, file: string, layers: readonly string[]): string | undefined {
  const path = relative(root, file).split(sep).join("/");
  let best: string | undefined;
  for (const layer of layers) {
    if (path.startsWith(`${layer}/`) && (best === undefined || layer.length > best.length)) {
      best = layer;
    }
  }
  return best;
}

/** Checks the tree under `root` against `layers`; an empty answer means it holds. */
export function checkLayers(
  root: string,
  layers: readonly string[] = LAYERS,
): LayerViolation[] {
  const violations: LayerViolation[] = [];
  const name = (file: string) => relative(root, file).split(sep).join("/");
  const rank = new Map(layers.map((layer, index) => [layer, index]));
  const files = existsSync(join(root, "src")) ? sourceFiles(join(root, "src")) : [];

  for (const file of files) {
    if (packageOf(root, file, layers) === undefined) {
      violations.push({
        rule: "unlisted",
        message: `${name(file)} is in no package of tools/check_layers.ts: move it into one, `
          + "or add its folder to LAYERS at the height of what it imports",
      });
    }
  }
  for (const layer of layers) {
    const hasMod = existsSync(join(root, layer, "mod.ts"));
    if (!hasMod && existsSync(join(root, layer))) {
      violations.push({
        rule: "private",
        message: `${layer} has no mod.ts: give it one that exports what other packages use`,
      });
    }
  }

  const graph = new Map<string, string[]>();
  for (const file of files) {
    const imports = importsOf(file);
    graph.set(file, imports);
    const from = packageOf(root, file, layers);
    if (from === undefined) continue;
    for (const target of imports) {
      const to = packageOf(root, target, layers);
      if (to === undefined || to === from) continue;
      const [fromRank, toRank] = [rank.get(from)!, rank.get(to)!];
      if (toRank > fromRank) {
        violations.push({
          rule: "upward",
          message: `upward import: ${name(file)} (${from}, layer ${fromRank}) imports `
            + `${name(target)} (${to}, layer ${toRank}); move the shared part down, or pass it in`,
        });
      } else if (name(target) !== `${to}/mod.ts`) {
        violations.push({
          rule: "private",
          message: `private import: ${name(file)} imports ${name(target)}; `
            + `import it from ${to}/mod.ts (export it there if it is meant for other packages)`,
        });
      }
    }
  }
  for (const cycle of findCycles(graph)) {
    const names = cycle.map(name);
    violations.push({
      rule: "cycle",
      message: `import cycle: ${[...names, names[0]].join(" -> ")}`,
    });
  }
  return violations;
}

if (import.meta.main) {
  const root = resolve(process.argv[2] ?? ".");
  const violations = checkLayers(root);
  for (const violation of violations) console.error(violation.message);
  if (violations.length > 0) process.exit(1);
  console.log(`layers hold: ${LAYERS.length} packages, bottom ${LAYERS[0]}, top ${LAYERS.at(-1)}`);
}
