// UDP over a link slower than the sender: two namespaces joined by veth, what
// leaves pc1 limited to 10 Mbit/s by tc's tbf. A send that finds the socket's
// buffer full waits its turn on both runtimes (Bun's send() returns false and
// sends nothing then), and the bench lets the link set its pace, as iperf3 does.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { delay } from "../../src/async/delay.ts";
import {
  createTwoPcs,
  runScriptIn,
  slowLinkCommand,
  slowLinkUnavailable,
  startScriptIn,
  type TwoPcs,
} from "../helpers/netns.ts";
import { listeningOn, stdoutJson } from "../helpers/scripts.ts";

const skip = slowLinkUnavailable();
const LINK_MBITS = 10;
const LINK_QUEUE_MS = 400;
const UNITS: Record<string, number> = { K: 1e-3, M: 1, G: 1e3 };

describe("UDP over a link slower than the sender", { skip }, () => {
  let pcs: TwoPcs;

  before(() => {
    pcs = createTwoPcs();
    pcs.sh(pcs.pc1, ...slowLinkCommand(pcs.link1, `${LINK_MBITS}mbit`, LINK_QUEUE_MS));
  });

  after(() => pcs?.remove());

  const discardServer = () =>
    listeningOn(
      startScriptIn(pcs.pc2, "udp.ts", [
        "server",
        "--host",
        "0.0.0.0",
        "--port",
        "0",
        "--mode",
        "discard",
      ]),
    );

  test("a burst sent through the library all leaves: none is dropped on the sending PC", async () => {
    const { server, port } = await discardServer();
    try {
      // 840 KB: more than the socket's buffer and the link's queue hold together.
      const burst = await runScriptIn(pcs.pc1, "tests/fixtures/udp_burst.ts", [
        pcs.ip2,
        String(port),
        "600",
        "1400",
      ]);
      assert.equal(burst.code, 0, burst.stderr);
      const sender = stdoutJson<{ sent: number; errors: string[]; mostQueued: number }>(burst);
      assert.deepEqual(sender.errors, []);
      assert.equal(sender.sent, 600);
      // Some waited for room: the path this test is about was taken.
      assert.ok(sender.mostQueued > 0, burst.stdout);
      // What the system took may still wait in the link's queue, 400 ms at most.
      await delay(LINK_QUEUE_MS + 200);
      const { code, stderr } = await server.stop();
      assert.equal(code, 0, stderr);
      assert.match(stderr, /stopped: 600 datagrams, 840000 bytes from 1 peer/);
    } finally {
      await server.kill();
    }
  });

  test("udp.ts server behind the slow link answers a burst: every reply leaves, in order", async () => {
    // The server's replies are what the link slows: they fill its socket's buffer and wait for room.
    const echo = await listeningOn(
      startScriptIn(pcs.pc1, "udp.ts", ["server", "--host", "0.0.0.0", "--port", "0"]),
    );
    try {
      const client = await runScriptIn(pcs.pc2, "tests/fixtures/udp_requests.ts", [
        pcs.ip1,
        String(echo.port),
        "600",
        "1400",
      ]);
      assert.equal(client.code, 0, client.stderr);
      assert.deepEqual(stdoutJson(client), { replies: 600, inOrder: true });
      const { code, stderr } = await echo.server.stop();
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /errors|queue full/, stderr);
    } finally {
      await echo.server.kill();
    }
  });

  test("udp.ts bench up at 4x the link's rate: the link sets the pace, the bench says so, the report comes", async () => {
    const { server, port } = await discardServer();
    try {
      const { code, stdout, stderr } = await runScriptIn(pcs.pc1, "udp.ts", [
        "bench",
        "--host",
        pcs.ip2,
        "--port",
        String(port),
        "--direction",
        "up",
        "--rate",
        `${4 * LINK_MBITS}M`,
        "--time",
        "2",
      ]);
      assert.equal(code, 0, stderr);
      assert.match(
        stderr,
        /the sender waited \d+\.\d s of \d+\.\d s for this PC to take datagrams it had already sent: the link, or the runtime handing datagrams to the system, is slower than --rate/,
      );
      const sender = /([\d.]+) ([KMG])bits\/sec\s+\d+ datagrams sent\s+sender/.exec(stdout);
      assert.ok(sender, stdout);
      // What the link took, not what was asked for (a slow machine sends less, never more).
      assert.ok(Number(sender[1]) * UNITS[sender[2]!]! < 2 * LINK_MBITS, stdout);
      // The report request was not stuck behind seconds of queued datagrams.
      assert.match(stdout, /\d+\/\d+ \([\d.]+%\)\s+receiver/, stderr);
      assert.doesNotMatch(stderr, /no report from/);
    } finally {
      await server.kill();
    }
  });

  test("udp.ts bench round trip at 4x the link's rate: the sender waits, and --json says so", async () => {
    const echo = await listeningOn(
      startScriptIn(pcs.pc2, "udp.ts", ["server", "--host", "0.0.0.0", "--port", "0"]),
    );
    try {
      const bench = await runScriptIn(pcs.pc1, "udp.ts", [
        ...["bench", "--host", pcs.ip2, "--port", String(echo.port), "--json"],
        ...["--rate", `${4 * LINK_MBITS}M`, "--time", "1"],
      ]);
      assert.equal(bench.code, 0, bench.stderr);
      const { summary } = stdoutJson<{
        summary: { senderWaitedSeconds: number; sentBitsPerSecond: number };
      }>(bench);
      assert.ok(summary.senderWaitedSeconds > 0 && summary.senderWaitedSeconds <= 1, bench.stdout);
      assert.ok(summary.sentBitsPerSecond < 2 * LINK_MBITS * 1e6, bench.stdout);
    } finally {
      await echo.server.kill();
    }
  });

  test("udp.ts bench --json says how long the sender waited for the link", async () => {
    const { server, port } = await discardServer();
    try {
      const bench = await runScriptIn(pcs.pc1, "udp.ts", [
        ...["bench", "--host", pcs.ip2, "--port", String(port), "--json"],
        ...["--direction", "up", "--rate", `${4 * LINK_MBITS}M`, "--time", "1"],
      ]);
      assert.equal(bench.code, 0, bench.stderr);
      const { end } = stdoutJson<{
        end: { sum_sent: { bits_per_second: number }; socklab: { sender_waited_seconds: number } };
      }>(bench);
      assert.ok(end.socklab.sender_waited_seconds > 0, bench.stdout);
      assert.ok(end.socklab.sender_waited_seconds <= 1, bench.stdout);
      assert.ok(end.sum_sent.bits_per_second < 2 * LINK_MBITS * 1e6, bench.stdout);
    } finally {
      await server.kill();
    }
  });
});
