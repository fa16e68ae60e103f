// With --json every stderr line of every script is one JSON object, errors included,
// run in the exact command form users are taught (tests/helpers/scripts.ts).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, test } from "node:test";
import { runtime } from "../../src/net/runtime.ts";
import { connect } from "../../src/tcp/tcp_client.ts";
import { closeAll } from "../helpers/connections.ts";
import { closedPort } from "../helpers/net_fixtures.ts";
import { runScript, scriptCommand, startServer } from "../helpers/scripts.ts";

type JsonLine = Record<string, unknown> & { event: string };

/** Parses every stderr line, failing with the line that is not a JSON object. */
function parseAll(stderr: string): JsonLine[] {
  const lines = stderr.split("\n").filter((line) => line !== "");
  return lines.map((line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      assert.fail(`stderr line is not JSON: ${line}\nwhole stderr:\n${stderr}`);
    }
    assert.equal(typeof parsed, "object", line);
    assert.equal(typeof (parsed as JsonLine).event, "string", line);
    assert.match(String((parsed as JsonLine).time), /^\d{4}-\d\d-\d\dT.*Z$/, line);
    return parsed as JsonLine;
  });
}

/** The one `error` event of a failed run, checked against what failed. */
function theError(events: JsonLine[], code: string, message: RegExp, exit: number): JsonLine {
  const errors = events.filter((e) => e.event === "error");
  assert.equal(errors.length, 1, JSON.stringify(events));
  const error = errors[0]!;
  assert.equal(error.error, code, JSON.stringify(error));
  assert.match(String(error.message), message);
  assert.equal(error.exit, exit);
  return error;
}

describe("--json makes all of stderr JSON Lines", () => {
  test("client.ts --json against a closed port ends with an error event naming the refusal", async () => {
    const port = await closedPort();
    const result = await runScript("client.ts", ["--json", "--port", String(port), "hi"]);
    assert.equal(result.code, 1, result.stderr);
    const events = parseAll(result.stderr);
    theError(
      events,
      "CONNECTION_REFUSED",
      new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}`),
      1,
    );
  });

  test("client.ts --json -v --hex against a server: one object per event, with text and hex", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0"]);
    try {
      const args = ["--json", "-v", "--hex", "--port", String(port), "hi"];
      const result = await runScript("client.ts", args);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "hi\n");
      const events = parseAll(result.stderr);
      assert.deepEqual(events.map((e) => e.event).slice(0, 3), ["connected", "wrote", "read"]);
      assert.equal(events.at(-1)?.event, "closed");
      const wrote = events[1]!;
      assert.match(String(wrote.text), /^wrote 3 bytes \(1 message\)$/);
      assert.equal(wrote.hex, "68690a");
      assert.equal(wrote.offset, 0);
    } finally {
      await server.kill();
    }
  });

  test("server.ts --json with an unknown flag writes a usage error event and exits 2", async () => {
    const result = await runScript("server.ts", ["--json", "--bogus"]);
    assert.equal(result.code, 2, result.stderr);
    theError(parseAll(result.stderr), "USAGE", /unknown flag --bogus/, 2);
  });

  test("server.ts --json on a port in use writes an error event naming the port", async () => {
    const taken = await runtime.listenTcp({
      hostname: "127.0.0.1",
      port: 0,
      onConnection: (c) => c.close(),
    });
    try {
      const port = taken.address.port;
      const result = await runScript("server.ts", ["--json", "--port", String(port)]);
      assert.equal(result.code, 1, result.stderr);
      theError(parseAll(result.stderr), "ADDRESS_IN_USE", new RegExp(String(port)), 1);
    } finally {
      await taken.close();
    }
  });

  test("server.ts --json -v writes its connection log as status events", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "--json", "-v"]);
    try {
      const connection = await connect({ host: "127.0.0.1", port });
      try {
        connection.send("hi");
        assert.equal((await connection.receive(5000))?.text, "hi");
      } finally {
        await closeAll(connection);
      }
      await server.waitFor(/"event":"closed"/, { stream: "stderr" });
      const result = await server.stop();
      const events = parseAll(result.stderr);
      assert.ok(events.some((e) => e.event === "status"), result.stderr);
      // The summary at Ctrl-C is a status event too.
      assert.match(String(events.at(-1)?.message), /server stopped/);
      assert.ok(events.some((e) => e.event === "read" && typeof e.text === "string"));
    } finally {
      await server.kill();
    }
  });

  test("udp.ts ping --json to a closed port writes only JSON, the failure as an error event", async () => {
    const port = await closedPort();
    const args = ["ping", "--json", "--port", String(port), "--count", "1"];
    const result = await runScript("udp.ts", args);
    assert.equal(result.code, 1, result.stderr);
    const events = parseAll(result.stderr);
    const errors = events.filter((e) => e.event === "error");
    assert.equal(errors.length, 1, result.stderr);
    assert.match(String(errors[0]!.message), /no reply from 127\.0\.0\.1/);
  });

  test("client.ts --json 2>file: the file's first line is JSON, with no runtime warning", async () => {
    const port = await closedPort();
    const [command, argv] = scriptCommand("client.ts", ["--json", "--port", String(port), "hi"]);
    // The shell makes and removes the file, as it does for a user typing 2>events.jsonl.
    const shell =
      "f=$(mktemp) || exit 99; \"$@\" 2>\"$f\" >/dev/null; code=$?; cat \"$f\"; rm -f \"$f\"; exit $code";
    const child = spawn("sh", ["-c", shell, "sh", command, ...argv], { stdio: "pipe" });
    let text = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    assert.equal(code, 1, text);
    const first = text.split("\n")[0]!;
    assert.equal(JSON.parse(first).event, "error", text);
    parseAll(text);
  });
});
