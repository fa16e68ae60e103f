// udp.ts check judges any UDP server by its behaviour: a server that answers
// the first client's address fails two-clients, one that reads with a small
// buffer fails large; a correct server and udp.ts server pass every check.
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { after, before, describe, test } from "node:test";
import { peerMissing } from "../helpers/peers.ts";
import { runScript, type ScriptResult, startUdpServer, stdoutJson } from "../helpers/scripts.ts";
import { type CheckReport, entry, notPassed, StudentGallery } from "../helpers/student_servers.ts";

const noPython = peerMissing("python3", "python3");
// Bounds the whole run, so a check that hangs fails the test instead of hanging it.
const RUN_LIMIT_MS = 45_000;

function check(args: string[]): Promise<ScriptResult> {
  // English whatever the machine's locale: the tests read the card's words.
  return runScript("udp.ts", ["check", "--lang", "en", ...args], { timeoutMs: RUN_LIMIT_MS });
}

async function checkJson(port: number, ...args: string[]): Promise<[number | null, CheckReport]> {
  const result = await check(["--port", String(port), "--json", ...args]);
  return [result.code, stdoutJson<CheckReport>(result)];
}

/** A UDP port nothing is bound to: one the system just gave out and took back. */
async function deadPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe("udp.ts check against the student server gallery", { skip: noPython }, () => {
  const gallery = new StudentGallery();
  before(() => gallery.start(["udp_first_peer", "udp_small_buffer", "udp_good"]));
  after(() => gallery.stopAll());

  test("udp.ts check fails two-clients for a server that answers the first peer's address", async () => {
    const { port } = await gallery.started("udp_first_peer");
    const [code, report] = await checkJson(port);
    assert.equal(code, 1);
    const caught = entry(report, "two-clients");
    assert.equal(caught.status, "failed", caught.detail);
    assert.match(caught.detail, /client 2's reply went to client 1's address/);
    assert.match(caught.hint ?? "", /every reply to the first client it heard from/);
    assert.equal(entry(report, "reply").status, "passed");
  });

  test("udp.ts check fails large for a server that reads with a 1024-byte buffer", async () => {
    const { port } = await gallery.started("udp_small_buffer");
    const result = await check(["--port", String(port)]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^FAIL +large /m);
    assert.match(result.stdout, /1400 bytes, got 1024/);
    assert.match(result.stdout, /why: +your server reads datagrams with a buffer smaller/);
    assert.match(result.stdout, /^PASS +two-clients /m);
  });

  test("udp.ts check passes every check for a correct Python server", async () => {
    const { port } = await gallery.started("udp_good");
    const [code, report] = await checkJson(port, "--expect", "echo");
    assert.deepEqual(notPassed(report), []);
    assert.equal(code, 0);
  });
});

describe("udp.ts check against socklab", () => {
  test("udp.ts check passes every check for udp.ts server, and --json has the fields", async () => {
    const { server, port } = await startUdpServer(["--mode", "upper"]);
    try {
      const [code, report] = await checkJson(port, "--expect", "upper");
      assert.deepEqual(notPassed(report), []);
      assert.equal(code, 0);
      assert.equal(report.protocol, "udp");
      assert.equal(report.target, `127.0.0.1:${port}`);
      assert.deepEqual(report.checks.map((c) => c.name), ["reply", "two-clients", "large"]);
      assert.equal(report.passed, 3);
      assert.equal(report.failed, 0);
      assert.equal(report.notRun, 0);
    } finally {
      await server.stop();
    }
  });

  test("udp.ts check exits 1 for a port nothing listens on, saying why", async () => {
    const port = await deadPort();
    const result = await check(["--port", String(port), "--timeout", "500ms"]);
    assert.equal(result.code, 1);
    // Bun reports the ICMP port unreachable; Deno does not, so silence is all it sees.
    assert.match(result.stdout, /nothing listens on that UDP port|no reply within 0\.5 s/);
    assert.match(result.stdout, /0 passed/);
  });

  test("udp.ts check with a message or a bad --expect is a usage error (exit 2)", async () => {
    const message = await check(["hello"]);
    assert.equal(message.code, 2);
    assert.match(message.stderr, /unexpected argument 'hello'/);
    const badExpect = await check(["--expect", "loud"]);
    assert.equal(badExpect.code, 2);
    assert.match(badExpect.stderr, /--expect must be one of echo, upper, any/);
  });
});
