// npm 11 warns about every dependency install script that package.json's allowScripts does not
// decide (issue 25, item 5). The decision is recorded for each, and the two the toolchain needs run.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { PROJECT_ROOT } from "../../tools/script_command.ts";

function readJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${PROJECT_ROOT}${name}`, "utf8"));
}

// What the lock says has an install script: npm warns about exactly these.
function packagesWithInstallScripts(): string[] {
  const packages = readJson("package-lock.json").packages as Record<
    string,
    Record<string, unknown>
  >;
  return Object.entries(packages)
    .filter(([, entry]) => entry.hasInstallScript === true)
    .map(([path]) => path.replace(/^.*node_modules\//, ""));
}

describe("install scripts", () => {
  test("allowScripts decides every dependency's install script", () => {
    const allowScripts = (readJson("package.json").allowScripts ?? {}) as Record<string, boolean>;
    const withScripts = packagesWithInstallScripts();
    assert.ok(withScripts.length > 0, "the lock lists no install script: is it the right file?");
    const undecided = withScripts.filter((name) => typeof allowScripts[name] !== "boolean");
    assert.deepEqual(undecided, [], `npm 11 would warn about: ${undecided.join(", ")}`);
  });

  test("Bun's and Deno's scripts run: the toolchain needs them", () => {
    const allowScripts = (readJson("package.json").allowScripts ?? {}) as Record<string, boolean>;
    // Bun's puts the binary in place of a placeholder; Deno's makes .bin/deno the binary itself.
    assert.equal(allowScripts.bun, true);
    assert.equal(allowScripts.deno, true);
  });
});
