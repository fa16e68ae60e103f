// DNS-SD over multicast DNS between two simulated lab PCs (network namespaces
// joined by veth, each with a route for 224.0.0.0/4), checked against
// implementations socklab did not write: Python's zeroconf and Wireshark's
// dissector (tshark). Every packet stays inside the test's namespaces (issue 24).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { after, afterEach, before, describe, test } from "node:test";
import packageJson from "../../package.json" with { type: "json" };
import type { FoundServerJson } from "../../src/cli/discovery/find.ts";
import { MAX_ANSWERS_PER_SECOND } from "../../src/discovery/announce.ts";
import { detectRuntime, type RuntimeName } from "../../src/net/runtime.ts";
import { PROJECT_ROOT, scriptCommandOn } from "../../tools/script_command.ts";
import { createTwoPcs, type TwoPcs, twoPcsUnavailable } from "../helpers/netns.ts";
import { peerMissing } from "../helpers/peers.ts";
import { listeningOn, RunningScript, type ScriptResult, stdoutJson } from "../helpers/scripts.ts";

const PYTHON = "/usr/bin/python3";
const ZEROCONF_PEER = `${PROJECT_ROOT}tests/fixtures/mdns_zeroconf.py`;

// Debian's python3-zeroconf installs for Debian's python, which may not be the first on PATH.
function zeroconfMissing(): string | false {
  if (spawnSync(PYTHON, ["-c", "import zeroconf"], { stdio: "ignore" }).status === 0) return false;
  const reason = `${PYTHON} cannot import zeroconf (apt-get install python3-zeroconf)`;
  if (process.env.SOCKLAB_REQUIRE_PEERS === "1") throw new Error(reason);
  return reason;
}

// avahi-browse and avahi-publish reach the daemon over D-Bus, so the PC gets a private bus too.
// One avahi-daemon per machine (its pid file is /run/avahi-daemon/pid): a running one means skip.
function avahiMissing(): string | false {
  const missing = peerMissing("avahi-daemon", "avahi-daemon")
    || peerMissing("avahi-browse", "avahi-utils")
    || peerMissing("dbus-daemon", "dbus");
  if (missing) return missing;
  const running = spawnSync("pgrep", ["-x", "avahi-daemon"], { stdio: "ignore" }).status === 0;
  return running ? "an avahi-daemon already runs on this machine, and avahi allows one" : false;
}

const skip = twoPcsUnavailable() || peerMissing("tshark", "tshark")
  || peerMissing("unshare", "util-linux") || zeroconfMissing();
const here = detectRuntime();
const other: RuntimeName = here === "deno" ? "bun" : "deno";

interface ZeroconfEvent {
  event: string;
  name?: string;
  port?: number;
  addresses?: string[];
  server?: string;
  txt?: Record<string, string>;
}

describe("DNS-SD between two PCs", { skip }, () => {
  let pcs: TwoPcs;
  let captureDir: string;
  const running: RunningScript[] = [];

  before(() => {
    pcs = createTwoPcs();
    pcs.sh(pcs.pc1, "ip", "route", "add", "224.0.0.0/4", "dev", pcs.link1);
    pcs.sh(pcs.pc2, "ip", "route", "add", "224.0.0.0/4", "dev", pcs.link2);
    // Made and removed by subprocesses: only tshark writes and reads the capture.
    captureDir = spawnSync("mktemp", ["-d", "/tmp/socklab-mdns-XXXXXX"], { encoding: "utf8" })
      .stdout.trim();
  });

  // SIGTERM first: tshark then stops its dumpcap, which would otherwise outlive it holding the pipes.
  afterEach(async () => {
    const left = running.splice(0);
    for (const started of left) started.child.kill("SIGTERM");
    const grace = setTimeout(() => left.forEach((process) => process.child.kill("SIGKILL")), 3_000);
    await Promise.all(left.map((process) => process.exited));
    clearTimeout(grace);
  });

  after(() => {
    pcs?.remove();
    if (captureDir?.startsWith("/tmp/socklab-mdns-")) spawnSync("rm", ["-rf", captureDir]);
  });

  // A process in `pc`; with `hostName`, under its own UTS namespace so the PC has its own name.
  function startIn(pc: string, command: string[], hostName?: string): RunningScript {
    const named = hostName
      ? ["unshare", "--uts", "sh", "-c", "hostname \"$0\" && exec \"$@\"", hostName]
      : [];
    const started = new RunningScript("ip", ["netns", "exec", pc, ...named, ...command]);
    running.push(started);
    return started;
  }

  const script = (runtime: RuntimeName, name: string, args: string[]) => {
    const [binary, argv] = scriptCommandOn(runtime, name, args);
    return [binary, ...argv];
  };

  async function runIn(pc: string, command: string[], timeoutMs = 15_000): Promise<ScriptResult> {
    const started = startIn(pc, command);
    started.child.stdin!.end();
    const timer = setTimeout(() => started.child.kill("SIGKILL"), timeoutMs);
    try {
      return await started.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  const zeroconf = (pc: string, ...args: string[]) =>
    startIn(pc, [PYTHON, "-u", ZEROCONF_PEER, ...args]);

  function zeroconfEvents(peer: RunningScript): ZeroconfEvent[] {
    return peer.stdout.split("\n").filter((line) => line.startsWith("{")).map((line) =>
      JSON.parse(line)
    );
  }

  test(
    "server.ts --name Ani on one PC: listed by --find on both runtimes, reached as HOST.local, seen by zeroconf, gone after Ctrl-C, decoded by tshark",
    { timeout: 90_000 },
    async () => {
      const file = `${captureDir}/mdns.pcapng`;
      const capture = startIn(pcs.pc2, [
        "tshark",
        "-i",
        pcs.link2,
        "-f",
        "udp port 5353",
        "-w",
        file,
      ]);
      await capture.waitFor(/Capturing on/, { stream: "stderr" });
      const browser = zeroconf(pcs.pc2, "browse", "_socklab._tcp.local.", pcs.ip2, "30");
      await browser.waitFor(/"browsing"/);

      const server = startIn(
        pcs.pc1,
        script(here, "server.ts", ["--host", "0.0.0.0", "--port", "0", "--name", "Ani"]),
        "labpc1",
      );
      const port = (await listeningOn(server)).port;
      await server.waitFor(/announced on the LAN as "Ani" on host labpc1\.local/, {
        stream: "stderr",
      });

      const finds = await Promise.all(
        [here, other].map((runtime) =>
          runIn(pcs.pc2, script(runtime, "client.ts", ["--find", "--json"]))
        ),
      );
      for (const [i, find] of finds.entries()) {
        assert.equal(find.code, 0, `${[here, other][i]}: ${find.stderr}`);
        const found = stdoutJson<FoundServerJson[]>(find);
        const ani = found.filter((server) => server.name === "Ani");
        assert.equal(ani.length, 1, find.stdout);
        assert.deepEqual(
          { ...ani[0], command: undefined, commandByName: undefined },
          {
            name: "Ani",
            host: "labpc1.local",
            addresses: [pcs.ip1],
            port,
            mode: "echo",
            framing: "line",
            tls: null,
            version: packageJson.version,
            command: undefined,
            commandByName: undefined,
          },
        );
        assert.match(ani[0]!.command, new RegExp(`client\\.ts --host ${pcs.ip1} --port ${port}$`));
      }

      const reply = await runIn(
        pcs.pc2,
        script(here, "client.ts", ["--host", "labpc1.local", "--port", `${port}`, "hello"]),
      );
      assert.equal(reply.code, 0, reply.stderr);
      assert.equal(reply.stdout, "hello\n");

      await browser.waitFor(/"event": "add", "name": "Ani\._socklab\._tcp\.local\."/);
      const added = zeroconfEvents(browser).find((e) =>
        e.event === "add" && e.name?.startsWith("Ani.")
      );
      assert.deepEqual(
        {
          port: added?.port,
          addresses: added?.addresses,
          server: added?.server,
          mode: added?.txt?.mode,
        },
        { port, addresses: [pcs.ip1], server: "labpc1.local.", mode: "echo" },
      );

      process.kill(server.child.pid!, "SIGINT");
      assert.equal((await server.exited).code, 0, server.stderr);
      // zeroconf drops a service on its goodbye (TTL 0) about a second later.
      await browser.waitFor(/"event": "remove", "name": "Ani\._socklab\._tcp\.local\."/, {
        timeoutMs: 5_000,
      });

      // dumpcap writes what it has read when told to stop, not what is still in the kernel's buffer.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      process.kill(capture.child.pid!, "SIGINT");
      await capture.exited;
      const fields = (filter: string, ...names: string[]) => {
        const args = ["-r", file, "-Y", filter, "-T", "fields", ...names.flatMap((n) => ["-e", n])];
        const result = spawnSync("tshark", args, { encoding: "utf8" });
        assert.equal(result.status, 0, result.stderr);
        return result.stdout.split("\n").filter((line) => line !== "");
      };
      assert.deepEqual(fields("_ws.malformed || _ws.expert.severity >= error", "frame.number"), []);
      const fromServer = `mdns && ip.src == ${pcs.ip1}`;
      assert.ok(
        fields(fromServer, "frame.number").length >= 3,
        "announcements, answers and a goodbye",
      );
      assert.ok(
        fields(`${fromServer} && dns.ptr.domain_name == "Ani._socklab._tcp.local"`, "frame.number")
          .length > 0,
      );
      assert.ok(
        fields(
          `${fromServer} && dns.a == ${pcs.ip1} && dns.resp.name == "labpc1.local"`,
          "frame.number",
        ).length > 0,
      );
      assert.ok(
        fields(`${fromServer} && dns.srv.port == ${port} && dns.resp.ttl == 0`, "frame.number")
          .length > 0,
        fields(fromServer, "frame.number", "dns.srv.port", "dns.resp.ttl").join("\n"),
      );
    },
  );

  test(
    "--find lists a service zeroconf published and a TLS server with the command that reaches it, udp.ts find a udp.ts server, neither a --no-announce one",
    { timeout: 90_000 },
    async () => {
      const publisher = zeroconf(
        pcs.pc2,
        "publish",
        "_socklab._tcp.local.",
        pcs.ip2,
        "20",
        "Zed",
        "7777",
      );
      await publisher.waitFor(/"registered"/);
      const hidden = startIn(
        pcs.pc2,
        script(other, "server.ts", ["--host", "0.0.0.0", "--port", "0", "--no-announce"]),
      );
      const hiddenPort = (await listeningOn(hidden)).port;
      const tlsServer = startIn(
        pcs.pc2,
        script(other, "server.ts", [
          "--host",
          "0.0.0.0",
          "--port",
          "0",
          "--tls",
          "--framing",
          "length",
          "--name",
          "Tee",
        ]),
      );
      const tlsPort = (await listeningOn(tlsServer)).port;
      const fingerprint =
        (await tlsServer.waitFor(/fingerprint ([0-9A-F:]{95})/, { stream: "stderr" }))[1]!;
      await tlsServer.waitFor(/announced on the LAN as "Tee"/, { stream: "stderr" });
      const udpServer = startIn(
        pcs.pc2,
        script(other, "udp.ts", ["server", "--host", "0.0.0.0", "--port", "0"]),
        "labpc2",
      );
      const udpPort = (await listeningOn(udpServer)).port;
      await udpServer.waitFor(/announced on the LAN as "labpc2 echo"/, { stream: "stderr" });

      const [tcpFind, udpFind] = await Promise.all([
        runIn(pcs.pc1, script(here, "client.ts", ["--find", "--json"])),
        runIn(pcs.pc1, script(here, "udp.ts", ["find", "--json"])),
      ]);
      assert.equal(tcpFind.code, 0, tcpFind.stderr);
      const tcp = stdoutJson<FoundServerJson[]>(tcpFind);
      assert.deepEqual(
        tcp.map(({ name, host, addresses, port, mode }) => ({ name, host, addresses, port, mode })),
        [
          { name: "Tee", host: tcp[0]?.host, addresses: [pcs.ip2], port: tlsPort, mode: "echo" },
          {
            name: "Zed",
            host: "zeroconf-peer.local",
            addresses: [pcs.ip2],
            port: 7777,
            mode: "upper",
          },
        ],
        `the --no-announce server on port ${hiddenPort} must not be listed`,
      );
      const tee = tcp[0]!;
      assert.deepEqual([tee.framing, tee.tls], ["length", fingerprint.replaceAll(":", "")]);
      // The command --find printed, typed as is (with the runtime npm installed).
      const [runtimeName, ...words] = tee.command.split(" ");
      const hex = fingerprint.replaceAll(":", "");
      assert.ok(
        tee.command.endsWith(
          `client.ts --framing length --tls --fingerprint ${hex} --host ${pcs.ip2} --port ${tlsPort}`,
        ),
        tee.command,
      );
      const reached = await runIn(pcs.pc1, [
        `${PROJECT_ROOT}node_modules/.bin/${runtimeName}`,
        ...words,
        "hi",
      ]);
      assert.equal(reached.stdout, "hi\n", reached.stderr);
      assert.equal(udpFind.code, 0, udpFind.stderr);
      const udp = stdoutJson<FoundServerJson[]>(udpFind);
      assert.deepEqual(
        udp.map(({ name, addresses, port, mode, framing }) => ({
          name,
          addresses,
          port,
          mode,
          framing,
        })),
        [{
          name: "labpc2 echo",
          addresses: [pcs.ip2],
          port: udpPort,
          mode: "echo",
          framing: "datagram",
        }],
      );
      for (const started of [hidden, tlsServer, udpServer]) {
        process.kill(started.child.pid!, "SIGINT");
      }
      await Promise.all([hidden.exited, tlsServer.exited, udpServer.exited]);
    },
  );

  test(
    "avahi sees socklab's server, resolves HOST.local and sees it leave; socklab, sharing port 5353 with avahi, finds avahi's service",
    { skip: avahiMissing(), timeout: 90_000 },
    async () => {
      const bus = startIn(pcs.pc2, [
        "dbus-daemon",
        `--config-file=${PROJECT_ROOT}tests/fixtures/mdns_dbus.conf`,
        "--nofork",
        "--print-address",
      ]);
      const address = (await bus.waitFor(/^(unix:\S+)$/m))[1]!;
      const withBus = (
        ...command: string[]
      ) => ["env", `DBUS_SYSTEM_BUS_ADDRESS=${address}`, ...command];
      const daemon = startIn(
        pcs.pc2,
        withBus(
          "avahi-daemon",
          "-f",
          `${PROJECT_ROOT}tests/fixtures/mdns_avahi.conf`,
          "--no-chroot",
          "--no-drop-root",
          "--no-rlimits",
        ),
      );
      await daemon.waitFor(/Server startup complete/, { stream: "stderr", timeoutMs: 15_000 });

      const server = startIn(
        pcs.pc1,
        script(here, "server.ts", ["--host", "0.0.0.0", "--port", "0", "--name", "Ani"]),
        "labpc1",
      );
      const port = (await listeningOn(server)).port;
      await server.waitFor(/announced on the LAN/, { stream: "stderr" });
      // -r resolves each service, -p prints ;-separated fields, -t stops once the list is complete.
      const browsed = await runIn(pcs.pc2, withBus("avahi-browse", "-rpt", "_socklab._tcp"));
      assert.match(
        browsed.stdout,
        new RegExp(
          `^=;[^;]+;IPv4;Ani;_socklab\\._tcp;local;labpc1\\.local;${pcs.ip1};${port};.*"mode=echo"`,
          "m",
        ),
        browsed.stderr,
      );
      const resolved = await runIn(pcs.pc2, withBus("avahi-resolve", "-4", "-n", "labpc1.local"));
      assert.equal(resolved.stdout, `labpc1.local\t${pcs.ip1}\n`, resolved.stderr);

      const watcher = startIn(pcs.pc2, withBus("avahi-browse", "-p", "_socklab._tcp"));
      await watcher.waitFor(/^\+;[^;]+;IPv4;Ani;/m);
      process.kill(server.child.pid!, "SIGINT");
      assert.equal((await server.exited).code, 0, server.stderr);
      await watcher.waitFor(/^-;[^;]+;IPv4;Ani;/m, { timeoutMs: 5_000 });

      const publisher = startIn(
        pcs.pc2,
        withBus(
          "avahi-publish",
          "-s",
          "Avi",
          "_socklab._tcp",
          "7070",
          "mode=upper",
          "framing=length",
        ),
      );
      await publisher.waitFor(/Established under name 'Avi'/, { stream: "stderr" });
      const find = await runIn(pcs.pc2, script(here, "client.ts", ["--find", "--json"]));
      assert.equal(find.code, 0, find.stderr);
      const found = stdoutJson<FoundServerJson[]>(find).map((
        { name, addresses, port, mode, framing },
      ) => ({
        name,
        address: addresses[0],
        port,
        mode,
        framing,
      }));
      assert.deepEqual(found, [{
        name: "Avi",
        address: pcs.ip2,
        port: 7070,
        mode: "upper",
        framing: "length",
      }]);
    },
  );

  test("a flood of unicast queries gets at most MAX_ANSWERS_PER_SECOND answers a second back", {
    timeout: 60_000,
  }, async () => {
    const server = startIn(
      pcs.pc1,
      script(here, "server.ts", ["--host", "0.0.0.0", "--port", "0", "--name", "Flooded"]),
    );
    await listeningOn(server);
    await server.waitFor(/announced on the LAN/, { stream: "stderr" });
    const [binary, argv] = scriptCommandOn(here, "tests/fixtures/mdns_query_flood.ts", [
      pcs.ip1,
      "5000",
    ]);
    // The fixture is not a socklab script: Deno needs its permissions spelled out.
    const command = here === "deno"
      ? [binary, "run", "-A", ...argv.slice(2)]
      : [binary, ...argv];
    const flood = await runIn(pcs.pc2, command, 30_000);
    const figures = JSON.parse(flood.stdout) as {
      sent: number;
      answers: number;
      bytesIn: number;
      bytesOut: number;
      seconds: number;
    };
    const allowed = MAX_ANSWERS_PER_SECOND * (Math.ceil(figures.seconds) + 2);
    assert.ok(
      figures.answers > 0,
      `the responder answered nothing: ${flood.stdout}${flood.stderr}`,
    );
    assert.ok(
      figures.answers <= allowed,
      `${figures.answers} answers (${figures.bytesIn} bytes) for ${figures.sent} queries (${figures.bytesOut} bytes) in ${figures.seconds} s; at most ${allowed}`,
    );
    process.kill(server.child.pid!, "SIGINT");
    assert.equal((await server.exited).code, 0);
  });

  test("a server where port 5353 is held without sharing says so in one line and serves as usual", {
    timeout: 60_000,
  }, async () => {
    // Sockets without SO_REUSEADDR, as a responder that will not share the port would hold it
    // (over IPv4 and IPv6, since socklab uses either where it can).
    const holder = startIn(pcs.pc1, [
      PYTHON,
      "-c",
      "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',5353))\n"
      + "t=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\nt.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_V6ONLY,1)\n"
      + "t.bind(('::',5353))\nprint('held',flush=True)\ntime.sleep(30)",
    ]);
    await holder.waitFor(/held/);
    const server = startIn(
      pcs.pc1,
      script(here, "server.ts", ["--host", "0.0.0.0", "--port", "0"]),
    );
    const port = (await listeningOn(server)).port;
    await server.waitFor(/not announced on the LAN \(UDP port 5353 is held/, { stream: "stderr" });
    const reply = await runIn(
      pcs.pc2,
      script(here, "client.ts", ["--host", pcs.ip1, "--port", `${port}`, "hi"]),
    );
    assert.equal(reply.stdout, "hi\n", reply.stderr);
    process.kill(server.child.pid!, "SIGINT");
    holder.child.kill("SIGKILL");
    assert.equal((await server.exited).code, 0);
    await holder.exited;
  });
});
