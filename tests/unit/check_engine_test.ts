// The checker as a library: what a teacher's script gets from checkTcpServer
// and checkUdpServer, against servers built in-process with socklab's own
// library, each wrong in one way a student's server is.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkTcpServer, checkUdpServer, serve, type ServerReport, serveUdp } from "../../mod.ts";
import { closedPort } from "../helpers/net_fixtures.ts";

const HOST = "127.0.0.1";
// Short waits: every server here answers at once or never.
const FAST = { timeoutMs: 400 };

const statuses = (report: ServerReport) =>
  Object.fromEntries(report.checks.map((check) => [check.name, check.status]));

describe("checkTcpServer", () => {
  test("a correct upper-case server passes every check, and the counts add up", async () => {
    const server = await serve({ host: HOST, port: 0 }, (message) => message.text.toUpperCase());
    try {
      const report = await checkTcpServer({ host: HOST, port: server.address.port }, {
        ...FAST,
        expect: "upper",
      });
      assert.equal(report.failed, 0, JSON.stringify(report, null, 1));
      assert.equal(report.notRun, 0);
      assert.equal(report.passed, report.checks.length);
      assert.ok(report.checks.length >= 9, `only ${report.checks.length} checks`);
      assert.equal(report.target, `${HOST}:${server.address.port}`);
      assert.equal(report.protocol, "tcp");
      assert.equal(report.framing, "line");
      assert.equal(report.error, undefined);
    } finally {
      await server.close();
    }
  });

  test("an echo server asked for upper case fails reply, with a hint in the chosen language", async () => {
    const server = await serve({ host: HOST, port: 0 }, (message) => message.text);
    try {
      const target = { host: HOST, port: server.address.port };
      const [english, indonesian] = await Promise.all([
        checkTcpServer(target, { ...FAST, expect: "upper" }),
        checkTcpServer(target, { ...FAST, expect: "upper", lang: "id" }),
      ]);
      assert.equal(statuses(english)["reply"], "failed");
      // Names and statuses are identifiers: the same in every language.
      assert.deepEqual(statuses(indonesian), statuses(english));
      const hint = (report: ServerReport) => report.checks.find((c) => c.name === "reply")?.hint;
      assert.match(hint(english) ?? "", /--expect/);
      assert.match(hint(indonesian) ?? "", /balasan server Anda/);
    } finally {
      await server.close();
    }
  });

  test("nothing listening: a report with the reason and every check not run, not a throw", async () => {
    const port = await closedPort(HOST);
    const report = await checkTcpServer({ host: HOST, port }, FAST);
    assert.match(report.error ?? "", /refused/i);
    assert.equal(report.passed + report.failed, 0);
    assert.equal(report.notRun, report.checks.length);
  });
});

describe("checkUdpServer", () => {
  test("a UDP echo server passes with expect echo; an upper-case one fails reply", async () => {
    const echoing = await serveUdp({ host: HOST }, (message) => message.bytes);
    const shouting = await serveUdp({ host: HOST }, (message) => message.text.toUpperCase());
    try {
      const [good, wrong] = await Promise.all([
        checkUdpServer({ host: HOST, port: echoing.localAddress.port }, {
          ...FAST,
          expect: "echo",
        }),
        checkUdpServer({ host: HOST, port: shouting.localAddress.port }, {
          ...FAST,
          expect: "echo",
        }),
      ]);
      assert.equal(good.failed, 0, JSON.stringify(good, null, 1));
      assert.equal(good.protocol, "udp");
      assert.ok(good.passed >= 3, `only ${good.passed} passed`);
      assert.equal(statuses(wrong)["reply"], "failed", JSON.stringify(wrong, null, 1));
    } finally {
      await Promise.all([echoing.close(), shouting.close()]);
    }
  });
});
