// The compiled `socklab` executable (`npm run dist`) works on its own: built for
// this machine (so nothing is fetched), it serves and reaches TCP and UDP on
// loopback with exactly the scripts' flags, and names itself `socklab ...`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { buildExecutable } from "../../tools/dist/build.ts";
import { listeningOn, RunningScript, type ScriptResult } from "../helpers/scripts.ts";

const RUN_TIMEOUT_MS = 15_000;

let dir = "";
let socklab = "";

/**
 * Starts `socklab ARGS` found on PATH, so it names itself `socklab` (run by
 * its path it names itself by that path: tests/lab_run2_test.ts).
 */
function start(args: string[]): RunningScript {
  return new RunningScript("env", [`PATH=${dir}:/usr/bin:/bin`, "socklab", ...args]);
}

/** Runs the executable to completion, killed after {@linkcode RUN_TIMEOUT_MS}. */
async function run(args: string[]): Promise<ScriptResult> {
  const running = start(args);
  const timer = setTimeout(() => running.child.kill("SIGKILL"), RUN_TIMEOUT_MS);
  running.endInput();
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `socklab ARGS...` as a server on a free loopback port and returns it with the port. */
async function serving(args: string[]): Promise<{ server: RunningScript; port: number }> {
  const started = start([...args, "--port", "0"]);
  started.endInput();
  return await listeningOn(started);
}

describe("the compiled socklab executable", () => {
  before(() => {
    // mktemp and rm keep the test within Deno's test permissions (no write).
    dir = spawnSync("mktemp", ["-d"], { encoding: "utf8" }).stdout.trim();
    assert.ok(dir.startsWith("/"), "mktemp -d gave no directory");
    socklab = `${dir}/socklab`;
    const build = buildExecutable(socklab);
    assert.ok(build.ok && existsSync(socklab), `bun build --compile failed:\n${build.output}`);
  });

  after(() => {
    if (dir.startsWith("/")) spawnSync("rm", ["-rf", dir]);
  });

  test("socklab --help lists the three commands", async () => {
    const result = await run(["--help"]);
    assert.equal(result.code, 0, result.stderr);
    for (const command of ["socklab server", "socklab client", "socklab udp"]) {
      assert.match(result.stdout, new RegExp(command), `no ${command} in:\n${result.stdout}`);
    }
  });

  test("socklab with an unknown command is a usage error naming the three", async () => {
    const result = await run(["srever"]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "socklab: unknown command 'srever': use server, client or udp (see socklab --help)\n",
    );
  });

  test("socklab server --help and its usage errors say socklab server, not server.ts", async () => {
    const help = await run(["server", "--help"]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: socklab server \[options\]/);
    assert.doesNotMatch(help.stdout, /server\.ts|client\.ts/);
    const wrong = await run(["server", "--bogus"]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /^socklab server: .*--bogus.*\(see socklab server --help\)\n$/);
  });

  test("socklab server and socklab client exchange a TCP message", async () => {
    const { server, port } = await serving(["server", "--mode", "upper"]);
    try {
      const result = await run(["client", "--port", String(port), "hello"]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "HELLO\n");
    } finally {
      await server.kill();
    }
  });

  test("socklab server on 0.0.0.0 suggests socklab client to the other PCs", async () => {
    const { server, port } = await serving(["server", "--host", "0.0.0.0", "--no-announce"]);
    try {
      await server.waitFor(/to watch the packets/, { stream: "stderr" });
      assert.doesNotMatch(server.stderr, /client\.ts/);
      // A machine with no LAN address lists none; any command it lists is socklab's.
      const listed = server.stderr.match(/^ {4}(\S+ \S+) --host/m);
      if (listed) assert.equal(listed[1], "socklab client", server.stderr);
      assert.ok(port > 0);
    } finally {
      await server.kill();
    }
  });

  test("socklab udp server and socklab udp client exchange a datagram", async () => {
    const { server, port } = await serving(["udp", "server"]);
    try {
      const result = await run(["udp", "client", "--port", String(port), "hi"]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "hi\n");
    } finally {
      await server.kill();
    }
  });
});
