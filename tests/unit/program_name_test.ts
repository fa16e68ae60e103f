// What the compiled `socklab` executable calls itself, and how it rewrites the
// scripts' help; the scripts themselves keep their names.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  asTypedHere,
  commandFor,
  programName,
  useCompiledNames,
} from "../../src/cli/program_name.ts";
import { detectRuntime } from "../../src/net/runtime.ts";

/** Runs `body` with compiled names on, and always turns them off again. */
function compiled<T>(body: () => T): T {
  useCompiledNames();
  try {
    return body();
  } finally {
    useCompiledNames(false);
  }
}

describe("program names", () => {
  test("the scripts name themselves and the command a user types for this runtime", () => {
    assert.equal(programName("server.ts"), "server.ts");
    const typed = detectRuntime() === "deno" ? "deno run -qP client.ts" : "bun client.ts";
    assert.equal(commandFor("client.ts"), typed);
    assert.equal(asTypedHere("Usage: udp.ts server"), "Usage: udp.ts server");
  });

  test("the compiled executable names every script as its command", () => {
    compiled(() => {
      assert.equal(programName("server.ts"), "socklab server");
      assert.equal(commandFor("client.ts"), "socklab client");
      assert.equal(commandFor("udp.ts"), "socklab udp");
    });
  });

  test("asTypedHere renames every form of a script and keeps help columns aligned", () => {
    const help = [
      "Usage: server.ts [options]",
      "  deno run -qP client.ts hello world            two requests, two replies",
      "  bun client.ts --count 5 --interval 200       five timed round trips",
      "  upper: as server.ts does; see ./server.ts and server.tsx",
    ].join("\n");
    assert.equal(
      compiled(() => asTypedHere(help)),
      [
        "Usage: socklab server [options]",
        "  socklab client hello world                    two requests, two replies",
        "  socklab client --count 5 --interval 200      five timed round trips",
        "  upper: as socklab server does; see ./server.ts and server.tsx",
      ].join("\n"),
    );
  });
});
