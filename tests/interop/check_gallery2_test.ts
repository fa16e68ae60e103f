// The bugs students really write that used to fool client.ts --check and
// udp.ts check: a reply on another client's connection (a global conn, a chat
// by mistake), the request's newline kept in the reply, upper case for A-Z
// only, and a one-client-at-a-time card that showed a reply it called missing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { peerMissing } from "../helpers/peers.ts";
import {
  runScript,
  type ScriptResult,
  startServer,
  startUdpServer,
  stdoutJson,
} from "../helpers/scripts.ts";
import { type CheckReport, entry, notPassed, StudentGallery } from "../helpers/student_servers.ts";

const noPython = peerMissing("python3", "python3");
// Bounds the whole run, so a check that hangs fails the test instead of hanging it.
const RUN_LIMIT_MS = 45_000;
const SPAWNS = { timeout: 90_000 };

function tcpCheck(args: string[]): Promise<ScriptResult> {
  // English whatever the machine's locale: the tests read the card's words.
  return runScript("client.ts", ["--check", "--lang", "en", ...args], { timeoutMs: RUN_LIMIT_MS });
}

function udpCheck(args: string[]): Promise<ScriptResult> {
  return runScript("udp.ts", ["check", "--lang", "en", ...args], { timeoutMs: RUN_LIMIT_MS });
}

async function json(run: Promise<ScriptResult>): Promise<[number | null, CheckReport]> {
  const result = await run;
  return [result.code, stdoutJson<CheckReport>(result)];
}

/** A check entry with the note a passed check may carry. */
type NotedEntry = ReturnType<typeof entry> & { note?: string };

const CROSSED_HINT = /reply on the socket the message came in on, not a shared variable/;

describe("client.ts --check is not fooled by replies on another client's connection", {
  skip: noPython,
}, () => {
  const gallery = new StudentGallery();
  before(() =>
    gallery.start([
      "global_conn",
      "broadcaster",
      "kept_newline",
      "bytes_upper",
      "one_at_a_time",
      "good_threads",
    ])
  );
  after(() => gallery.stopAll());

  test(
    "a threaded server replying on a global conn fails crosstalk, with its hint",
    SPAWNS,
    async () => {
      const { port } = await gallery.started("global_conn");
      const [code, report] = await json(
        tcpCheck(["--port", String(port), "--json", "--timeout", "2"]),
      );
      assert.equal(code, 1);
      const crossed = entry(report, "crosstalk");
      assert.equal(crossed.status, "failed", crossed.detail);
      assert.match(crossed.detail, /client 1's reply came on client 2's connection/);
      assert.match(crossed.hint ?? "", CROSSED_HINT);
      // Its one fault is its one failure.
      assert.deepEqual(notPassed(report).map((line) => line.split(":")[0]), ["crosstalk"]);
    },
  );

  test("a server answering every client to all of them fails crosstalk", SPAWNS, async () => {
    const { port } = await gallery.started("broadcaster");
    const result = await tcpCheck(["--port", String(port), "--timeout", "2"]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^FAIL +crosstalk /m);
    assert.match(result.stdout, /client 1 also got the reply to client 2, before it sent anything/);
    assert.match(result.stdout, /why: +your server sent a reply on another client's connection/);
  });

  test("a correct threaded server passes crosstalk", SPAWNS, async () => {
    const good = await gallery.started("good_threads");
    const [code, report] = await json(
      tcpCheck(["--port", String(good.port), "--json", "--expect", "echo"]),
    );
    assert.deepEqual(notPassed(report), []);
    assert.equal(code, 0);
    assert.equal(entry(report, "crosstalk").status, "passed");
  });

  test("a reply that keeps the request's newline is named so", SPAWNS, async () => {
    const { port } = await gallery.started("kept_newline");
    const [code, report] = await json(
      tcpCheck(["--port", String(port), "--json", "--timeout", "2"]),
    );
    assert.equal(code, 1);
    const reply = entry(report, "reply");
    assert.equal(reply.status, "failed", reply.detail);
    assert.match(reply.hint ?? "", /still ends in the request's newline.*: strip it first/);
    assert.doesNotMatch(reply.hint ?? "", /greeting/);
  });

  test(
    "--expect upper passes a bytes-only upper-caser with a note on the card and in --json",
    SPAWNS,
    async () => {
      const { port } = await gallery.started("bytes_upper");
      const [code, report] = await json(
        tcpCheck(["--port", String(port), "--json", "--expect", "upper"]),
      );
      assert.deepEqual(notPassed(report), []);
      assert.equal(code, 0);
      const reply = entry(report, "reply") as NotedEntry;
      assert.match(reply.sent.join(" "), /é/);
      assert.match(reply.note ?? "", /only A-Z were upper-cased/);
      assert.match(reply.note ?? "", /decode/);
      const text = await tcpCheck(["--port", String(port), "--expect", "upper"]);
      assert.equal(text.code, 0);
      assert.match(text.stdout, /^ +note: +only A-Z were upper-cased/m);
    },
  );

  test("--expect upper gives server.ts --mode upper no note", SPAWNS, async () => {
    const { server, port } = await startServer("server.ts", ["--port", "0", "--mode", "upper"]);
    try {
      const [code, report] = await json(
        tcpCheck(["--port", String(port), "--json", "--expect", "upper"]),
      );
      assert.deepEqual(notPassed(report), []);
      assert.equal(code, 0);
      const reply = entry(report, "reply") as NotedEntry;
      assert.match(reply.received.join(" "), /CAFÉ SEÑOR/);
      assert.equal(reply.note, undefined);
    } finally {
      await server.stop();
    }
  });

  test(
    "a one-at-a-time server's concurrent card says the reply came only after client 1 closed",
    SPAWNS,
    async () => {
      const { port } = await gallery.started("one_at_a_time");
      const result = await tcpCheck(["--port", String(port), "--timeout", "1"]);
      assert.equal(result.code, 1);
      assert.match(
        result.stdout,
        /^FAIL +concurrent .*\n +result: +the second client got no reply within 1 s while the first stayed connected; it came only after client 1 closed\n/m,
      );
      assert.match(
        result.stdout,
        /^SKIP +crosstalk .*\n +result: +not run: needs concurrent to pass first/m,
      );
    },
  );
});

describe("udp.ts check is not fooled by replies to every client", { skip: noPython }, () => {
  const gallery = new StudentGallery();
  before(() => gallery.start(["udp_broadcast", "udp_bytes_upper"]));
  after(() => gallery.stopAll());

  test("a UDP server answering every client it heard from fails two-clients", SPAWNS, async () => {
    const { port } = await gallery.started("udp_broadcast");
    const [code, report] = await json(udpCheck(["--port", String(port), "--json"]));
    assert.equal(code, 1);
    const two = entry(report, "two-clients");
    assert.equal(two.status, "failed", two.detail);
    assert.match(two.detail, /client 1 also got the reply to client 2/);
    assert.match(two.hint ?? "", /to every client it heard from/);
  });

  test(
    "udp.ts check --expect upper notes a bytes-only upper-caser and not udp.ts server",
    SPAWNS,
    async () => {
      const { port } = await gallery.started("udp_bytes_upper");
      const [code, report] = await json(
        udpCheck(["--port", String(port), "--json", "--expect", "upper"]),
      );
      assert.deepEqual(notPassed(report), []);
      assert.equal(code, 0);
      assert.match((entry(report, "reply") as NotedEntry).note ?? "", /only A-Z were upper-cased/);
      const { server, port: ours } = await startUdpServer(["--mode", "upper"]);
      try {
        const [oursCode, oursReport] = await json(
          udpCheck(["--port", String(ours), "--json", "--expect", "upper"]),
        );
        assert.equal(oursCode, 0);
        assert.equal((entry(oursReport, "reply") as NotedEntry).note, undefined);
        assert.match(entry(oursReport, "reply").sent.join(" "), /café/);
      } finally {
        await server.stop();
      }
    },
  );
});
