// Issue 22's review found these by reading the code, not by running it: each
// was a copy or a misplaced dependency that behaved the same. They are checked
// on the source so that they do not come back.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";

const ROOT = join(import.meta.dirname!, "../..");
const NOT_YET: string[] = [];

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder)).flatMap((name) => {
    const path = `${folder}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

function filesMatching(pattern: RegExp, except: string[] = []): string[] {
  return sourceFiles("src").filter((path) =>
    ![...NOT_YET, ...except].some((skip) => path.startsWith(skip)) && pattern.test(read(path))
  );
}

describe("issue 22 review", () => {
  test("seconds are formatted in one place", () => {
    // As text with its unit; JSON's seconds are numbers, another thing.
    assert.deepEqual(filesMatching(/\/ 1000\)?\.?(toFixed\(3\)\))?} s`/), [
      "src/bytes/seconds_text.ts",
    ]);
  });

  test("one lenient UTF-8 decoder", () => {
    // Outside JSDoc examples (lines starting with "*").
    const lenient = /^(?!\s*\*).*new TextDecoder\((?!"utf-8", \{ fatal: true \})/m;
    assert.deepEqual(filesMatching(lenient), ["src/bytes/lenient_text.ts"]);
  });

  test("the UDP options parser returns data and builds no narrator", () => {
    assert.ok(!/narrat/i.test(read("src/cli/udp/options.ts")), "options.ts names a narrator");
  });

  test("the runtime adapter imports nothing from framing", () => {
    assert.deepEqual(
      filesMatching(/from "\.\.\/framing\//).filter((p) => p.startsWith("src/net/")),
      [],
    );
  });

  test("a served client keeps no state shared by every server, and no server's stats type", () => {
    const source = read("src/tcp/served_client.ts");
    assert.deepEqual(source.match(/^let \w+/gm), null);
    assert.ok(!source.includes("ServerStats"), "served_client.ts names ServerStats");
  });

  test("handler.ts holds the handler contract only; the echo handler is named for what it is", () => {
    assert.deepEqual(read("src/message/handler.ts").match(/ServerStats|RefusalCode/g), null);
    assert.equal(existsSync(join(ROOT, "src/echo.ts")), false);
  });
});
