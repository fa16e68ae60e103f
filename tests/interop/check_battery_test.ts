// client.ts --check judges any TCP server by its behaviour: each buggy student
// server of the gallery fails the check meant for its bug, with the hint for
// it; correct servers, server.ts and ncat --exec /bin/cat pass every check.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { freePort, peerMissing, startNcatEcho } from "../helpers/peers.ts";
import { runScript, startServer, stdoutJson } from "../helpers/scripts.ts";
import { type CheckReport, entry, notPassed, StudentGallery } from "../helpers/student_servers.ts";

const noPython = peerMissing("python3", "python3");
const noNcat = peerMissing("ncat", "ncat");
const TCP_CHECK_NAMES = [
  "reply",
  "sequence",
  "split",
  "pipelined",
  "large",
  "concurrent",
  "crosstalk",
  "reset",
  "reconnect",
];
// Bounds the whole run, so a check that hangs fails the test instead of hanging it.
const RUN_LIMIT_MS = 45_000;

function check(args: string[]) {
  // English whatever the machine's locale: the tests read the card's words.
  return runScript("client.ts", ["--check", "--lang", "en", ...args], { timeoutMs: RUN_LIMIT_MS });
}

async function checkJson(port: number, ...args: string[]): Promise<[number | null, CheckReport]> {
  const result = await check(["--port", String(port), "--json", ...args]);
  return [result.code, stdoutJson<CheckReport>(result)];
}

// Each bug of the gallery and the check that must catch it, with words from its hint.
const BUGS = [
  { server: "recv_as_message", check: "split", hint: /takes each recv\(\) as one message/ },
  {
    server: "closes_after_one_message",
    check: "sequence",
    hint: /closes the connection after one message/,
  },
  { server: "exits_after_one_client", check: "reconnect", hint: /accept\(\) in a loop/ },
  { server: "one_at_a_time", check: "concurrent", hint: /one client at a time/ },
  { server: "dies_on_reset", check: "reset", hint: /ConnectionResetError/ },
] as const;

describe("client.ts --check against the student server gallery", { skip: noPython }, () => {
  const gallery = new StudentGallery();
  before(() =>
    gallery.start([
      ...BUGS.map((bug) => bug.server),
      "exits_after_one_client#2",
      "good_threads",
      "good_asyncio",
      "never_replies",
    ])
  );
  after(() => gallery.stopAll());

  for (const bug of BUGS) {
    test(`client.ts --check fails ${bug.check} for ${bug.server}.py, with its hint`, async () => {
      const { port } = await gallery.started(bug.server);
      // --timeout as users type it: a server that keeps a client waiting fails sooner.
      const [code, report] = await checkJson(port, "--timeout", "2");
      assert.equal(code, 1);
      const caught = entry(report, bug.check);
      assert.equal(caught.status, "failed", caught.detail);
      assert.match(caught.hint ?? "", bug.hint);
      assert.equal(entry(report, "reply").status, "passed");
    });
  }

  test("client.ts --check runs the rest as not run once the server stops accepting", async () => {
    const { port } = await gallery.started("exits_after_one_client#2");
    const [, report] = await checkJson(port, "--timeout", "2");
    assert.equal(report.failed, 1, notPassed(report).join("\n"));
    assert.equal(report.notRun, report.checks.length - 2);
    assert.match(entry(report, "sequence").detail, /no longer accepts connections/);
  });

  test("client.ts --check text report shows what was sent, what came back and why", async () => {
    const { port } = await gallery.started("recv_as_message");
    const result = await check(["--port", String(port)]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^FAIL +split /m);
    assert.match(result.stdout, /^PASS +reply /m);
    assert.match(result.stdout, /sent: +piece 1: "socklab/);
    assert.match(result.stdout, /received: +"ok socklab\\nok /);
    assert.match(
      result.stdout,
      /why: +your server takes each recv\(\) as one message; TCP is a byte stream/,
    );
    assert.match(result.stdout, /\d+ passed, \d+ failed, \d+ not run/);
  });

  for (const [name, expect] of [["good_threads", "echo"], ["good_asyncio", "any"]] as const) {
    test(`client.ts --check passes every check for the correct ${name}.py`, async () => {
      const { port } = await gallery.started(name);
      const [code, report] = await checkJson(port, "--expect", expect);
      assert.deepEqual(notPassed(report), []);
      assert.equal(code, 0);
      assert.equal(report.failed, 0);
    });
  }

  test("client.ts --check exits 1 for a server that never replies, saying so", async () => {
    const { port } = await gallery.started("never_replies");
    const result = await check(["--port", String(port), "--timeout", "1"]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^FAIL +reply /m);
    assert.match(result.stdout, /no reply within 1 s/);
    assert.match(result.stdout, /^SKIP +reset .*\n.*not run: needs reply to pass first/m);
  });
});

describe("client.ts --check against socklab and ncat", () => {
  test("client.ts --check passes every check for server.ts, and --json has the fields", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "--mode", "upper"]);
    try {
      const [code, report] = await checkJson(port, "--expect", "upper");
      assert.deepEqual(notPassed(report), []);
      assert.equal(code, 0);
      assert.equal(report.protocol, "tcp");
      assert.equal(report.target, `127.0.0.1:${port}`);
      for (const name of TCP_CHECK_NAMES) assert.equal(entry(report, name).passed, true, name);
      assert.equal(report.passed, report.checks.length);
      assert.equal(report.failed, 0);
      for (const check of report.checks) {
        assert.equal(typeof check.detail, "string");
        assert.ok(check.sent.length > 0, check.name);
      }
    } finally {
      await server.stop();
    }
  });

  test("client.ts --check passes every check for server.ts --framing length", async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "--framing", "length"]);
    try {
      const [code, report] = await checkJson(port, "--framing", "length", "--expect", "echo");
      assert.deepEqual(notPassed(report), []);
      assert.equal(code, 0);
    } finally {
      await server.stop();
    }
  });

  test(
    "client.ts --check passes every check for ncat --exec /bin/cat",
    { skip: noNcat },
    async () => {
      const { peer: ncat, port } = await startNcatEcho();
      try {
        const [code, report] = await checkJson(port, "--expect", "echo");
        assert.deepEqual(notPassed(report), []);
        assert.equal(code, 0);
      } finally {
        await ncat.kill();
      }
    },
  );
});

describe("client.ts --check exit codes", () => {
  test("client.ts --check exits 1 for a port nothing listens on, saying why", async () => {
    const port = await freePort();
    const result = await check(["--port", String(port)]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /cannot check: .*connection refused/);
    assert.match(result.stdout, /0 passed, 0 failed, 10 not run/);
    const [code, report] = await checkJson(port);
    assert.equal(code, 1);
    assert.match(report.error ?? "", /connection refused/);
    assert.ok(report.checks.every((c) => c.notRun && !c.passed));
  });

  test("client.ts --check with a message or --count is a usage error (exit 2)", async () => {
    for (const args of [["hello"], ["--count", "3"], ["--bench", "1"]]) {
      const result = await check(args);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, /--check sends its own messages/);
    }
    const expectAlone = await runScript("client.ts", ["--expect", "echo", "hi"]);
    assert.equal(expectAlone.code, 2);
    assert.match(expectAlone.stderr, /--expect only applies with --check/);
    const badExpect = await check(["--expect", "loud"]);
    assert.equal(badExpect.code, 2);
    assert.match(badExpect.stderr, /--expect must be one of echo, upper, any/);
  });
});
