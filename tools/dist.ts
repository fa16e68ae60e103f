// `npm run dist`: one self-contained `socklab` executable per platform in
// dist/OS-ARCH/, for lab PCs where no runtime may be installed (copy the one
// file; see README). Bun fetches each platform's runtime from the npm registry
// the first time. Usage: bun tools/dist.ts [PLATFORM...], e.g. linux-x64.
import { statSync } from "node:fs";
import process from "node:process";
import { buildExecutable, DIST_TARGETS, distPath } from "./dist/build.ts";

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !DIST_TARGETS.some((t) => t.platform === name));
if (unknown.length > 0) {
  const known = DIST_TARGETS.map((t) => t.platform).join(", ");
  console.error(`dist: unknown platform ${unknown.join(", ")} (known: ${known})`);
  process.exit(2);
}

let failed = false;
for (const target of DIST_TARGETS) {
  if (wanted.length > 0 && !wanted.includes(target.platform)) continue;
  const outfile = distPath(target);
  const result = buildExecutable(outfile, { bunTarget: target.bunTarget });
  if (!result.ok) {
    console.error(`dist: ${target.platform} failed:\n${result.output.trim()}`);
    failed = true;
    continue;
  }
  const mib = (statSync(outfile).size / 2 ** 20).toFixed(1);
  const seconds = (result.elapsedMs / 1000).toFixed(1);
  const note = target.note === undefined ? "" : `; ${target.note}`;
  console.log(`dist/${target.platform}/${target.file}  ${mib} MiB  (${seconds} s)${note}`);
}
process.exit(failed ? 1 : 0);
