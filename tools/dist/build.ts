// How `npm run dist` and tests/scripts/dist_test.ts compile the `socklab` executable:
// one place that knows the `bun build --compile` command line and the targets.
import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

// Not script_command.ts's: that one loads the socket adapters, which a build has no use for.
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** One platform the teacher can copy `socklab` to. */
export interface DistTarget {
  /** Folder under dist/, named `OS-ARCH` as the teacher knows it. */
  platform: string;
  /** Bun's `--target`, whose runtime `bun build` fetches from the npm registry. */
  bunTarget: string;
  /** The executable's file name on that platform. */
  file: string;
  /** What the teacher must still do on that platform, printed after the build. */
  note?: string;
}

// The Linux and Windows x64 builds are Bun's "baseline" ones (no AVX2): lab PCs
// are often older than 2013, and Bun's docs give baseline for CPUs before then
// (https://bun.sh/docs/bundler/executables#cross-compile-to-other-platforms).
// Bun's macOS x64 runtime is one file for both.
export const DIST_TARGETS: readonly DistTarget[] = [
  { platform: "linux-x64", bunTarget: "bun-linux-x64-baseline", file: "socklab" },
  { platform: "linux-arm64", bunTarget: "bun-linux-arm64", file: "socklab" },
  { platform: "windows-x64", bunTarget: "bun-windows-x64-baseline", file: "socklab.exe" },
  {
    platform: "macos-x64",
    bunTarget: "bun-darwin-x64",
    file: "socklab",
    // Measured with bun 1.4.5: the arm64 output carries a valid ad-hoc signature;
    // the x64 output keeps the runtime's own, whose page hashes no longer match.
    note: "re-sign it once on a Mac: codesign --force --sign - socklab",
  },
  { platform: "macos-arm64", bunTarget: "bun-darwin-arm64", file: "socklab" },
];

/** The entry every target compiles. */
export const ENTRY = `${ROOT}tools/dist/socklab.ts`;

/** Where `npm run dist` puts `target`'s executable: `dist/OS-ARCH/socklab`. */
export function distPath(target: DistTarget): string {
  return `${ROOT}dist/${target.platform}/${target.file}`;
}

/** What one `bun build --compile` did. */
export interface BuildResult {
  ok: boolean;
  /** Bun's own output, for a failure message. */
  output: string;
  elapsedMs: number;
}

// Under Bun the running binary builds; under Deno (tests) the one npm installed.
function bunBinary(): string {
  return process.versions.bun === undefined ? `${ROOT}node_modules/.bin/bun` : process.execPath;
}

/**
 * Compiles {@linkcode ENTRY} into one self-contained executable at `outfile`,
 * for `bunTarget`, or for this machine when it is omitted (nothing to fetch).
 */
export function buildExecutable(
  outfile: string,
  { bunTarget, timeoutMs = 300_000 }: { bunTarget?: string; timeoutMs?: number } = {},
): BuildResult {
  const target = bunTarget === undefined ? [] : [`--target=${bunTarget}`];
  const started = performance.now();
  const run = spawnSync(
    bunBinary(),
    ["build", "--compile", ...target, ENTRY, "--outfile", outfile],
    { cwd: ROOT, encoding: "utf8", timeout: timeoutMs },
  );
  const output = `${run.stdout ?? ""}${run.stderr ?? ""}${run.error?.message ?? ""}`;
  return { ok: run.status === 0, output, elapsedMs: performance.now() - started };
}
