// client.ts and udp.ts between two simulated PCs (network namespaces joined
// by veth): each failure a student meets on a real LAN is named for what it
// is, on the runtime running the tests (issue 15, items 2 to 4).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { detectRuntime } from "../../src/net/runtime.ts";
import {
  createTwoPcs,
  runScriptIn,
  startScriptIn,
  type TwoPcs,
  twoPcsUnavailable,
} from "../helpers/netns.ts";
import { listeningOn } from "../helpers/scripts.ts";

const skip = twoPcsUnavailable();
const bun = detectRuntime() === "bun";
const CLOSED_PORT = "9";
const ONE_TRY_OF = (
  seconds: string,
) => ["--port", CLOSED_PORT, "--retries", "0", "--timeout", seconds];

describe("two PCs", { skip }, () => {
  let pcs: TwoPcs;

  before(() => {
    pcs = createTwoPcs();
    const { pc1, pc2, ip2 } = pcs;
    // pc2 is also the router to 10.99.2.0/24, which it drops silently, and to
    // 10.99.3.0/24, which it rejects with ICMP "administratively prohibited"
    // as a firewall's reject rule does.
    pcs.sh(pc1, "ip", "route", "add", "10.99.0.0/16", "via", ip2);
    pcs.sh(pc2, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    pcs.sh(pc2, "ip", "route", "add", "blackhole", "10.99.2.0/24");
    pcs.sh(pc2, "ip", "route", "add", "prohibit", "10.99.3.0/24");
    // Routes on pc1 itself that forbid or refuse an address.
    pcs.sh(pc1, "ip", "route", "add", "prohibit", "10.99.5.1");
    pcs.sh(pc1, "ip", "route", "add", "unreachable", "10.99.6.1");
  });

  after(() => pcs?.remove());

  const connectFrom1 = (host: string, ...extra: string[]) =>
    runScriptIn(pcs.pc1, "client.ts", ["--host", host, "--port", CLOSED_PORT, ...extra, "hi"]);

  test("client.ts and udp.ts to an address where no PC answers ARP say so, not refused", async () => {
    const [tcp, udp] = await Promise.all([
      connectFrom1(`${pcs.subnet}9`),
      // Longer than the kernel's ARP attempt (three probes a second apart).
      runScriptIn(pcs.pc1, "udp.ts", [
        "client",
        "--host",
        `${pcs.subnet}9`,
        ...ONE_TRY_OF("4"),
        "hi",
      ]),
    ]);
    assert.match(
      tcp.stderr,
      /no host answered ARP at 10\.99\.1\.9 \(check the IP address .*ip addr/,
    );
    assert.doesNotMatch(tcp.stderr, /refused|network unreachable/);
    assert.equal(tcp.code, 1);
    // Only Bun reports the host unreachable that the failed ARP causes.
    if (bun) {
      assert.match(udp.stderr, /10\.99\.1\.9:9: host unreachable: no host answered ARP there/);
    }
    assert.match(udp.stderr, /no reply from 10\.99\.1\.9:9/);
    assert.equal(udp.code, 1);
  });

  test("client.ts to a PC with nothing on the port says refused", async () => {
    const { code, stderr } = await connectFrom1(pcs.ip2);
    assert.match(stderr, /10\.99\.1\.2:9: connection refused \(is the server running\?/);
    // A firewall may answer with a reset too (iptables REJECT --reject-with tcp-reset).
    assert.match(stderr, /a firewall that rejects looks the same/);
    assert.equal(code, 1);
  });

  test("client.ts whose SYNs are dropped on the way times out, naming the firewall", async () => {
    const { code, stderr } = await connectFrom1("10.99.2.1", "--timeout", "1");
    assert.match(stderr, /no answer within 1000 ms \(nothing answered: is a firewall dropping/);
    assert.equal(code, 1);
  });

  test("client.ts rejected by a firewall with ICMP prohibited is not called no host", async () => {
    const { code, stderr } = await connectFrom1("10.99.3.1");
    // Bun 1.4 turns the EHOSTUNREACH into ECONNREFUSED (oven-sh/bun PR #37093),
    // which an ICMP rejection cannot be told from; the hint names the firewall.
    assert.match(
      stderr,
      bun
        ? /connection refused \(.*a firewall that rejects looks the same\)/
        : /host unreachable at once: a firewall or router rejected it \(ICMP\)/,
    );
    assert.doesNotMatch(stderr, /no host answered|network unreachable/);
    assert.equal(code, 1);
  });

  test("client.ts stopped by a prohibit or unreachable route here says rejected", async () => {
    const [prohibited, unreachable] = await Promise.all([
      connectFrom1("10.99.5.1"),
      connectFrom1("10.99.6.1"),
    ]);
    assert.match(prohibited.stderr, /prohibited: a firewall or a prohibit route/);
    assert.match(unreachable.stderr, /host unreachable at once: .* or a route here/);
    for (const { code, stderr } of [prohibited, unreachable]) {
      assert.match(stderr, /check the firewall on the server PC, and the routes with ip route/);
      assert.equal(code, 1);
    }
  });

  test("client.ts and server.ts on a link-local address without %interface list the interfaces", async () => {
    const [client, server] = await Promise.all([
      connectFrom1("fe80::9"),
      runScriptIn(pcs.pc1, "server.ts", ["--host", "fe80::9", "--port", "0"]),
    ]);
    const example = `fe80::9%${pcs.link1}; interfaces here: ${pcs.link1}`;
    for (const { code, stderr } of [client, server]) {
      assert.match(stderr, /fe80::9 is a link-local address: add %INTERFACE/);
      assert.ok(stderr.includes(example), stderr);
      assert.equal(code, 1);
    }
  });

  test("udp.ts ping over IPv6 link-local gets every reply, with or without %interface", async () => {
    const server = startScriptIn(pcs.pc2, "udp.ts", ["server", "--host", "::", "--port", "0"]);
    try {
      const { port } = await listeningOn(server);
      const ping = (host: string) =>
        runScriptIn(pcs.pc1, "udp.ts", [
          "ping",
          "--host",
          host,
          "--port",
          String(port),
          "--count",
          "3",
          "--interval",
          "0.1",
        ]);
      const zoned = `${pcs.linkLocal2}%${pcs.link1}`;
      const results = await Promise.all([ping(zoned), ping(pcs.linkLocal2)]);
      for (const { code, stdout, stderr } of results) {
        assert.match(stdout, /3 sent, 3 received, 0% loss/, stderr);
        assert.equal(code, 0);
      }
    } finally {
      await server.kill();
    }
  });

  test("udp.ts client says what the network reported about a closed port", async () => {
    const { code, stderr } = await runScriptIn(pcs.pc1, "udp.ts", [
      "client",
      "--host",
      pcs.ip2,
      ...ONE_TRY_OF("0.5"),
      "hi",
    ]);
    // Only Bun reports the ICMP port unreachable that comes back.
    if (bun) assert.match(stderr, /10\.99\.1\.2:9: the host answered port unreachable \(ICMP\)/);
    assert.match(stderr, /no reply from 10\.99\.1\.2:9/);
    assert.equal(code, 1);
  });
});
