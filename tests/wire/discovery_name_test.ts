// Reaching a server by the instance name --find lists, multicast DNS over IPv6,
// and answers that name only the addresses of the asker's interface (issue 24),
// between simulated lab PCs: network namespaces joined by veth. Every packet
// stays inside the test's namespaces.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { FoundServerJson } from "../../src/cli/discovery/find.ts";
import { detectRuntime, type RuntimeName } from "../../src/net/runtime.ts";
import { PROJECT_ROOT, scriptCommandOn } from "../../tools/script_command.ts";
import { createTwoPcs, type TwoPcs, twoPcsUnavailable } from "../helpers/netns.ts";
import { peerMissing } from "../helpers/peers.ts";
import { listeningOn, RunningScript, type ScriptResult, stdoutJson } from "../helpers/scripts.ts";

const skip = twoPcsUnavailable() || peerMissing("unshare", "util-linux");
const here = detectRuntime();
const other: RuntimeName = here === "deno" ? "bun" : "deno";

describe("DNS-SD by instance name, over IPv6, per interface", { skip }, () => {
  // pc1 and pc2 on 10.99.1.0/24; pc1 also reaches pc3 on 10.99.2.0/24 by a second link.
  let pcs: TwoPcs;
  let pc3: string;
  // Two PCs with link-local IPv6 only: no IPv4 address, so no IPv4 multicast either.
  let ipv6Only: TwoPcs;
  const running: RunningScript[] = [];

  before(() => {
    pcs = createTwoPcs();
    pcs.sh(pcs.pc1, "ip", "route", "add", "224.0.0.0/4", "dev", pcs.link1);
    pcs.sh(pcs.pc2, "ip", "route", "add", "224.0.0.0/4", "dev", pcs.link2);
    const second = createTwoPcs();
    // Its first end moves into pc1, whose first namespace stays behind empty and is deleted.
    ipv6Only = createTwoPcs();
    pc3 = second.pc2;
    second.sh(second.pc1, "ip", "link", "set", second.link1, "netns", pcs.pc1);
    const extra = { remove: () => second.remove() };
    cleanups.push(extra);
    pcs.sh(pcs.pc1, "ip", "addr", "add", "10.99.2.1/24", "dev", second.link1);
    pcs.sh(pcs.pc1, "ip", "link", "set", second.link1, "up");
    pcs.sh(pcs.pc1, "ip", "route", "add", "224.0.0.0/4", "dev", second.link1, "metric", "10");
    pcs.sh(pc3, "ip", "addr", "flush", "dev", second.link2);
    pcs.sh(pc3, "ip", "addr", "add", "10.99.2.3/24", "dev", second.link2);
    pcs.sh(pc3, "ip", "route", "add", "224.0.0.0/4", "dev", second.link2);
    for (const [pc, link] of [[ipv6Only.pc1, ipv6Only.link1], [ipv6Only.pc2, ipv6Only.link2]]) {
      ipv6Only.sh(pc!, "ip", "addr", "flush", "dev", link!, "scope", "global");
    }
  });

  afterEach(async () => {
    const left = running.splice(0);
    for (const started of left) started.child.kill("SIGTERM");
    const grace = setTimeout(() => left.forEach((started) => started.child.kill("SIGKILL")), 3_000);
    await Promise.all(left.map((started) => started.exited));
    clearTimeout(grace);
  });

  const cleanups: { remove(): void }[] = [];
  after(() => {
    pcs?.remove();
    ipv6Only?.remove();
    for (const cleanup of cleanups) cleanup.remove();
  });

  // A script in `pc`, under its own UTS namespace so that the PC has its own host name.
  function startIn(pc: string, runtime: RuntimeName, name: string, args: string[]) {
    const [binary, argv] = scriptCommandOn(runtime, name, args);
    const named = ["unshare", "--uts", "sh", "-c", "hostname \"$0\" && exec \"$@\"", pc];
    const started = new RunningScript("ip", ["netns", "exec", pc, ...named, binary, ...argv]);
    running.push(started);
    return started;
  }

  async function runIn(
    pc: string,
    runtime: RuntimeName,
    name: string,
    args: string[],
  ): Promise<ScriptResult & { ms: number }> {
    const started = startIn(pc, runtime, name, args);
    started.child.stdin!.end();
    const timer = setTimeout(() => started.child.kill("SIGKILL"), 15_000);
    const began = Date.now();
    try {
      return { ...(await started.exited), ms: Date.now() - began };
    } finally {
      clearTimeout(timer);
    }
  }

  // `args` begin with udp.ts's subcommand, if any; the server listens on every interface.
  async function announcedServer(
    runtime: RuntimeName,
    name: string,
    args: string[],
    pc = pcs.pc1,
    listen = "0.0.0.0",
  ) {
    const server = startIn(pc, runtime, name, [...args, "--host", listen, "--port", "0"]);
    const { port } = await listeningOn(server);
    await server.waitFor(/announced on the LAN as/, { stream: "stderr" });
    return { server, port };
  }

  test(
    "client.ts --host Ani reaches the server announced as Ani, at the port it announces, on both runtimes; --find shows that command",
    { timeout: 90_000 },
    async () => {
      const { port } = await announcedServer(here, "server.ts", ["--name", "Ani"]);
      const [fromHere, fromOther, lowerCase, find] = await Promise.all([
        runIn(pcs.pc2, here, "client.ts", ["--host", "Ani", "hello"]),
        runIn(pcs.pc2, other, "client.ts", ["--host", "Ani", "hello"]),
        runIn(pcs.pc2, here, "client.ts", ["--host", "ani", "again"]),
        runIn(pcs.pc2, here, "client.ts", ["--find", "--json"]),
      ]);
      for (const [runtime, result] of [[here, fromHere], [other, fromOther]] as const) {
        assert.equal(result.code, 0, `${runtime}: ${result.stderr}`);
        assert.equal(result.stdout, "hello\n", `${runtime}: ${result.stderr}`);
        assert.match(
          result.stderr,
          new RegExp(
            `"Ani" is ${pcs.pc1}\\.local at ${pcs.ip1.replaceAll(".", "\\.")}, port ${port}`,
          ),
          runtime,
        );
      }
      assert.equal(lowerCase.stdout, "again\n", lowerCase.stderr);
      const ani = stdoutJson<FoundServerJson[]>(find).find((server) => server.name === "Ani");
      assert.ok(ani, find.stdout);
      assert.ok(ani.commandByName.endsWith("client.ts --host Ani"), ani.commandByName);
      // The command --find printed, typed as is (with the runtime npm installed).
      const [runtimeName, ...words] = ani.commandByName.split(" ");
      const typed = new RunningScript("ip", [
        "netns",
        "exec",
        pcs.pc2,
        `${PROJECT_ROOT}node_modules/.bin/${runtimeName}`,
        ...words,
        "typed",
      ]);
      running.push(typed);
      typed.child.stdin!.end();
      const byName = await typed.exited;
      assert.equal(byName.stdout, "typed\n", byName.stderr);
    },
  );

  test(
    "udp.ts client and ping reach a udp.ts server by a name with a space; a --port given wins, with a note",
    { timeout: 90_000 },
    async () => {
      const { port } = await announcedServer(other, "udp.ts", ["server"]);
      const name = `${pcs.pc1} echo`;
      const wrongPort = port === 65535 ? port - 1 : port + 1;
      const [client, ping, tcpOfThatName, udpPortGiven] = await Promise.all([
        runIn(pcs.pc2, here, "udp.ts", ["client", "--host", name, "hi"]),
        runIn(pcs.pc2, here, "udp.ts", ["ping", "--host", name, "--count", "1"]),
        runIn(pcs.pc2, here, "client.ts", ["--host", name, "x"]),
        runIn(pcs.pc2, here, "udp.ts", [
          "client",
          "--host",
          name,
          "--port",
          `${wrongPort}`,
          "--timeout",
          "300ms",
          "--retries",
          "0",
          "x",
        ]),
      ]);
      assert.equal(client.code, 0, client.stderr);
      assert.equal(client.stdout, "hi\n", client.stderr);
      assert.equal(ping.code, 0, ping.stderr);
      assert.match(ping.stdout, /1 sent, 1 received/);
      // client.ts speaks TCP: a UDP server of that name is not a TCP server of that name.
      assert.equal(tcpOfThatName.code, 1);
      assert.match(tcpOfThatName.stderr, new RegExp(`no socklab TCP server named "${name}"`));
      assert.match(
        udpPortGiven.stderr,
        new RegExp(`note: "${name}" announces port ${port}; using port ${wrongPort} as given`),
      );
    },
  );

  test(
    "an unknown name fails in one line naming what was asked, where, and --find, within about 2 s; two namesakes are both listed",
    { timeout: 90_000 },
    async () => {
      const { port } = await announcedServer(here, "server.ts", ["--name", "Twin"], pcs.pc1);
      // A namesake that answers without probing, as socklab's own servers would not.
      const [binary, argv] = scriptCommandOn(here, "tests/fixtures/mdns_plain_responder.ts", [
        pcs.ip2,
        "Twin",
        "7777",
      ]);
      const plain = new RunningScript("ip", [
        "netns",
        "exec",
        pcs.pc2,
        binary,
        // The fixture is not a socklab script: Deno needs its permissions spelled out.
        ...(here === "deno" ? ["run", "-A", ...argv.slice(2)] : argv),
      ]);
      running.push(plain);
      await plain.waitFor(/ready/);
      const [missing, twins] = await Promise.all([
        runIn(pcs.pc2, here, "client.ts", ["--host", "Nobody", "hello"]),
        runIn(pcs.pc2, here, "client.ts", ["--host", "Twin", "hello"]),
      ]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stdout, "");
      assert.match(
        missing.stderr,
        new RegExp(
          `^client\\.ts: no socklab TCP server named "Nobody" answered on ${pcs.link2} \\(${
            pcs.ip2.replaceAll(".", "\\.")
          }, ${pcs.linkLocal2}\\) within 2 s.*client\\.ts --find\\n$`,
        ),
      );
      assert.ok(missing.ms < 8_000, `${missing.ms} ms`);
      assert.equal(twins.code, 1);
      assert.equal(twins.stdout, "");
      assert.match(twins.stderr, /^client\.ts: 2 socklab TCP servers are named "Twin": /);
      for (
        const expected of [
          `${pcs.pc1}.local (${pcs.ip1}) port ${port}`,
          `plain-peer.local (${pcs.ip2}) port 7777`,
        ]
      ) {
        assert.ok(twins.stderr.includes(expected), twins.stderr);
      }
    },
  );

  test(
    "a second server given a name the LAN already has is announced as \"Dup (2)\" and reached by it; two started at once end with two names",
    { timeout: 90_000 },
    async () => {
      const first = await announcedServer(here, "server.ts", ["--name", "Dup"], pcs.pc1);
      assert.match(first.server.stderr, /announced on the LAN as "Dup" on host/);
      const [second, ...together] = await Promise.all([
        announcedServer(other, "server.ts", ["--name", "Dup"], pcs.pc2),
        announcedServer(here, "udp.ts", ["server", "--name", "Same"], pcs.pc1),
        announcedServer(other, "udp.ts", ["server", "--name", "Same"], pcs.pc2),
      ]);
      assert.match(
        second.server.stderr,
        /announced on the LAN as "Dup \(2\)" \(another server on the LAN already has the name "Dup"\)/,
      );
      const reply = await runIn(pcs.pc1, other, "client.ts", ["--host", "Dup (2)", "second"]);
      assert.equal(reply.stdout, "second\n", reply.stderr);
      assert.match(
        reply.stderr,
        new RegExp(`"Dup \\(2\\)" is ${pcs.pc2}\\.local .* port ${second.port} `),
      );
      const names = together.map(({ server }) =>
        /announced on the LAN as "([^"]+)"/.exec(server.stderr)?.[1]
      );
      assert.deepEqual(
        names.sort(),
        ["Same", "Same (2)"],
        together.map((t) => t.server.stderr).join("\n"),
      );
    },
  );

  test(
    "with IPv6 only on the link, a server on :: is listed by --find and reached by its name over ff02::fb, in both directions of runtime",
    { timeout: 90_000 },
    async () => {
      const { server, port } = await announcedServer(
        here,
        "server.ts",
        ["--name", "Six"],
        ipv6Only.pc1,
        "::",
      );
      assert.doesNotMatch(server.stderr, /not announced/);
      const [find, fromHere, fromOther, local] = await Promise.all([
        runIn(ipv6Only.pc2, other, "client.ts", ["--find", "--json"]),
        runIn(ipv6Only.pc2, here, "client.ts", ["--host", "Six", "over six"]),
        runIn(ipv6Only.pc2, other, "client.ts", ["--host", "Six", "over six"]),
        // A name the system resolver knows stays a host name: no lookup on the LAN.
        runIn(ipv6Only.pc1, here, "client.ts", ["--host", "localhost", "--port", `${port}`, "lo"]),
      ]);
      assert.equal(local.stdout, "lo\n", local.stderr);
      assert.doesNotMatch(local.stderr, /multicast DNS/);
      assert.equal(find.code, 0, find.stderr);
      const six = stdoutJson<FoundServerJson[]>(find).find((found) => found.name === "Six");
      assert.deepEqual(
        { port: six?.port, addresses: six?.addresses },
        { port, addresses: [`${ipv6Only.linkLocal1}%${ipv6Only.link2}`] },
        find.stdout,
      );
      for (const [runtime, result] of [[here, fromHere], [other, fromOther]] as const) {
        assert.equal(result.stdout, "over six\n", `${runtime}: ${result.stderr}`);
      }
      // And the other way round: a server on the other runtime, found from this one.
      const { port: otherPort } = await announcedServer(
        other,
        "udp.ts",
        ["server", "--name", "Six udp"],
        ipv6Only.pc2,
        "::",
      );
      const udp = await runIn(ipv6Only.pc1, here, "udp.ts", ["client", "--host", "Six udp", "hi"]);
      assert.equal(udp.stdout, "hi\n", udp.stderr);
      assert.match(udp.stderr, new RegExp(`port ${otherPort} \\(multicast DNS\\)`));
    },
  );

  test(
    "a server on two links answers each with that link's address only (RFC 6762 section 15)",
    { timeout: 90_000 },
    async () => {
      await announcedServer(here, "server.ts", ["--name", "Duo"]);
      const [fromPc2, fromPc3] = await Promise.all([
        runIn(pcs.pc2, other, "client.ts", ["--find", "--json"]),
        runIn(pc3, here, "client.ts", ["--find", "--json"]),
      ]);
      const addressesOf = (result: ScriptResult) =>
        stdoutJson<FoundServerJson[]>(result).find((found) => found.name === "Duo")?.addresses;
      assert.deepEqual(addressesOf(fromPc2), [pcs.ip1], fromPc2.stdout + fromPc2.stderr);
      assert.deepEqual(addressesOf(fromPc3), ["10.99.2.1"], fromPc3.stdout + fromPc3.stderr);
      const reply = await runIn(pc3, other, "client.ts", ["--host", "Duo", "hi"]);
      assert.equal(reply.stdout, "hi\n", reply.stderr);
    },
  );
});
