import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { scriptCommand, startServer } from "../helpers/scripts.ts";

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

// `client.ts ... | head -1`: head leaves after one line, and the client's next write meets EPIPE.
function pipedIntoHead(args: string[], input: string): { stderr: string; clientExit: number } {
  const [binary, argv] = scriptCommand("client.ts", args);
  const client = [binary, ...argv].map(quote).join(" ");
  const result = spawnSync(
    "bash",
    ["-c", `${input} | ${client} | head -1 >/dev/null; echo "client exit \${PIPESTATUS[1]}" >&2`],
    { encoding: "utf8", timeout: 30_000 },
  );
  const exit = /client exit (\d+)/.exec(result.stderr ?? "");
  assert.ok(exit, `no exit status: ${result.stderr}`);
  return { stderr: result.stderr.replace(exit[0], "").trim(), clientExit: Number(exit[1]) };
}

describe("a client whose reader goes away (| head -1)", () => {
  test("stops quietly: no stack trace, exit 1, on a long stdin and on a bench", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0"]);
    try {
      const lines = pipedIntoHead(["--port", String(port)], "seq 1 200000");
      assert.equal(lines.clientExit, 1, lines.stderr);
      assert.doesNotMatch(lines.stderr, /EPIPE|Uncaught|at /);

      const bench = pipedIntoHead(["--port", String(port), "--bench", "2"], "true");
      assert.equal(bench.clientExit, 1, bench.stderr);
      assert.doesNotMatch(bench.stderr, /EPIPE|Uncaught|at /);
    } finally {
      await server.kill();
    }
  });
});
