import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { checkLayers } from "../../tools/check_layers.ts";

const ROOT = resolve(import.meta.dirname ?? ".", "../..");

/** A scratch tree holding `files` (path to text), removed after `body`. */
function withTree(files: Record<string, string>, body: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), "socklab-layers-"));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    body(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const LOW_HIGH = ["src/low", "src/high"];

describe("tools/check_layers.ts", () => {
  test("today's tree holds its layers", () => {
    assert.deepEqual(checkLayers(ROOT).map((violation) => violation.message), []);
  });

  test("a planted upward import in a copy of today's src/ fails it, naming both files", () => {
    const root = mkdtempSync(join(tmpdir(), "socklab-layers-"));
    try {
      cpSync(join(ROOT, "src"), join(root, "src"), { recursive: true });
      // The runtime adapter reaching up into the CLI: the shape of the bug the tool exists for.
      writeFileSync(
        join(root, "src/net/planted.ts"),
        "import { UsageError } from \"../cli/mod.ts\";\nexport const planted = UsageError;\n",
      );
      const violations = checkLayers(root);
      assert.equal(violations.length, 1, violations.map((v) => v.message).join("\n"));
      assert.equal(violations[0]!.rule, "upward");
      assert.match(violations[0]!.message, /src\/net\/planted\.ts .* imports src\/cli\/mod\.ts/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("an import past another package's mod.ts is private; through it, it holds", () => {
    const files = {
      "src/low/mod.ts": "export { x } from \"./inner.ts\";\n",
      "src/low/inner.ts": "export const x = 1;\n",
      "src/high/mod.ts": "import { x } from \"../low/inner.ts\";\nexport const y = x;\n",
    };
    withTree(files, (root) => {
      const violations = checkLayers(root, LOW_HIGH);
      assert.deepEqual(violations.map((v) => v.rule), ["private"]);
      assert.match(violations[0]!.message, /import it from src\/low\/mod\.ts/);
    });
    const fixed = { ...files, "src/high/mod.ts": "import { x } from \"../low/mod.ts\";\n" };
    withTree(fixed, (root) => assert.deepEqual(checkLayers(root, LOW_HIGH), []));
  });

  test("a folder cycle is an upward import; a file cycle inside a package is a cycle", () => {
    const files = {
      "src/low/mod.ts": "import \"../high/mod.ts\";\nexport const x = 1;\n",
      "src/high/mod.ts": "import { x } from \"../low/mod.ts\";\nimport \"./a.ts\";\n",
      "src/high/a.ts": "import \"./b.ts\";\n",
      "src/high/b.ts": "import type { T } from \"./a.ts\";\nexport type U = T;\n",
    };
    withTree(files, (root) => {
      const rules = checkLayers(root, LOW_HIGH).map((v) => v.rule).sort();
      assert.deepEqual(rules, ["cycle", "cycle", "upward"]);
    });
  });

  test("a folder missing from the layer list, or without a mod.ts, is named", () => {
    const files = {
      "src/low/mod.ts": "export const x = 1;\n",
      "src/high/inner.ts": "export const y = 2;\n",
      "src/stray/thing.ts": "export const z = 3;\n",
    };
    withTree(files, (root) => {
      const messages = checkLayers(root, LOW_HIGH).map((v) => v.message);
      assert.equal(messages.length, 2, messages.join("\n"));
      assert.ok(
        messages.some((m) => /^src\/stray\/thing\.ts is in no package/.test(m)),
        messages.join("\n"),
      );
      assert.ok(messages.some((m) => /^src\/high has no mod\.ts/.test(m)), messages.join("\n"));
    });
  });

  test("examples in comments are not imports", () => {
    const files = {
      "src/low/mod.ts": "/**\n * import { y } from \"../high/mod.ts\";\n */\nexport const x = 1;\n",
      "src/high/mod.ts": "// import { x } from \"../low/inner.ts\";\nexport const y = 2;\n",
    };
    withTree(files, (root) => assert.deepEqual(checkLayers(root, LOW_HIGH), []));
  });
});
