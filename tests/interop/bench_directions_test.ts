// client.ts --bench --direction up|down|both and --parallel, as text and as
// iperf3-shaped JSON, against socklab's own servers and against socat ends.
// Durations are short and no speed is asserted: speed belongs in `npm run bench`.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { freePort, peerMissing } from "../helpers/peers.ts";
import { type RunningScript, runScript, startServer, startUdpServer } from "../helpers/scripts.ts";

// One iperf3 interval line: stream, span, transfer, bitrate.
const line = (label: string) =>
  new RegExp(
    `^\\[${label}\\]\\s+\\d+\\.\\d\\d-\\d+\\.\\d\\d\\s+sec\\s+[\\d.]+ [KMGT]?Bytes\\s+[\\d.]+ [KMGT]?bits/sec`,
    "m",
  );

async function withServer<T>(
  mode: string,
  body: (port: number, server: RunningScript) => Promise<T>,
): Promise<T> {
  const { server, port } = await startServer("server.ts", ["--mode", mode, "--port", "0"]);
  try {
    return await body(port, server);
  } finally {
    await server.kill();
  }
}

function bench(port: number, ...args: string[]) {
  return runScript("client.ts", ["--port", String(port), "--bench", "0.5", ...args], {
    timeoutMs: 30_000,
  });
}

describe("client.ts --bench --direction", () => {
  test("--direction up to a discard server prints sender and receiver lines", async () => {
    const result = await withServer("discard", (port) => bench(port, "--direction", "up"));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\[ ID\] Interval\s+Transfer\s+Bitrate/m);
    assert.match(result.stdout, line("  1"));
    assert.match(result.stdout, /^\[ {2}1\]\s+0\.00-0\.50\s+sec .* sender$/m);
    assert.match(result.stdout, /^\[ {2}1\]\s+0\.00-\d+\.\d\d\s+sec .* receiver$/m);
    assert.doesNotMatch(result.stdout, /\[SUM\]/, "no sum with one stream");
  });

  test("--direction down from a chargen server prints the receiver line", async () => {
    const result = await withServer("chargen", (port) => bench(port, "--direction", "down"));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, line("  1"));
    assert.match(
      result.stdout,
      /^\[ {2}1\]\s+0\.00-0\.50\s+sec\s+[\d.]+ [KMG]?Bytes .* receiver$/m,
    );
  });

  test("--direction both through an echo server checks every echo and shows TX and RX", async () => {
    const result = await withServer("echo", (port) => bench(port, "--direction", "both"));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, line("  1\\]\\[TX"));
    assert.match(result.stdout, line("  1\\]\\[RX"));
    const sent = /\[TX\].* sender\s+(\d+) messages/.exec(result.stdout);
    const echoed = /\[RX\].* receiver\s+(\d+) messages, every echoed byte matches/.exec(
      result.stdout,
    );
    assert.ok(sent && echoed, result.stdout);
    assert.ok(Number(sent[1]) > 0);
    assert.equal(echoed[1], sent[1]);
  });

  test("--direction down from a server that sends nothing fails with a hint", async () => {
    const result = await withServer("discard", (port) => bench(port, "--direction", "down"));
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /nothing came from the server .*--mode chargen/);
  });

  test("--parallel 2 prints a line per stream and a [SUM] line per interval", async () => {
    const result = await withServer(
      "discard",
      (port) => bench(port, "-d", "up", "--parallel", "2"),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, line("  1"));
    assert.match(result.stdout, line("  2"));
    assert.match(result.stdout, line("SUM"));
    assert.match(result.stdout, /^\[SUM\]\s+0\.00-0\.50\s+sec .* sender$/m);
    assert.match(result.stdout, /^\[SUM\]\s+0\.00-\d+\.\d\d\s+sec .* receiver$/m);
    for (const id of ["1", "2"]) {
      assert.match(
        result.stdout,
        new RegExp(`^\\[  ${id}\\]\\s+0\\.00-0\\.50\\s+sec .* sender$`, "m"),
      );
    }
  });

  test("--json follows iperf3's -J field names, for up with two streams and for down", async () => {
    const up = await withServer("discard", (port) => bench(port, "-d", "up", "-P", "2", "--json"));
    assert.equal(up.code, 0, up.stderr);
    const report = JSON.parse(up.stdout);
    assert.equal(report.start.connected.length, 2);
    assert.equal(typeof report.start.connected[0].local_port, "number");
    assert.equal(report.start.connecting_to.host, "127.0.0.1");
    assert.equal(report.start.test_start.protocol, "TCP");
    assert.equal(report.start.test_start.num_streams, 2);
    assert.equal(report.start.test_start.reverse, 0);
    assert.ok(report.intervals.length >= 1);
    const first = report.intervals[0];
    assert.equal(first.streams.length, 2);
    for (const stream of first.streams) {
      for (const field of ["socket", "start", "end", "seconds", "bytes", "bits_per_second"]) {
        assert.equal(typeof stream[field], "number", field);
      }
      assert.equal(stream.sender, true);
    }
    assert.equal(first.sum.bytes, first.streams[0].bytes + first.streams[1].bytes);
    const { sum_sent, sum_received, streams } = report.end;
    for (const sum of [sum_sent, sum_received]) {
      for (const field of ["start", "end", "seconds", "bytes", "bits_per_second"]) {
        assert.equal(typeof sum[field], "number", field);
      }
    }
    assert.ok(sum_sent.bytes > 0);
    // What the server read, confirmed by its FIN, includes all that was sent in the run.
    assert.ok(sum_received.bytes >= sum_sent.bytes);
    assert.equal(streams.length, 2);
    assert.equal(typeof streams[0].sender.bytes, "number");
    assert.equal(typeof streams[0].receiver.bits_per_second, "number");
    assert.equal(report.error, undefined);

    const down = await withServer("chargen", (port) => bench(port, "-d", "down", "--json"));
    assert.equal(down.code, 0, down.stderr);
    const downReport = JSON.parse(down.stdout);
    assert.equal(downReport.start.test_start.reverse, 1);
    assert.equal(downReport.intervals[0].streams[0].sender, false);
    assert.ok(downReport.end.sum_received.bytes > 0);
  });

  test("--direction and --parallel usage errors name the flag and exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--bench", "1", "--direction", "sideways"], /--direction must be one of .*'sideways'/],
      [["--bench", "1", "--parallel", "0"], /--parallel .*'0'/],
      [["--direction", "up"], /--direction and --parallel only apply with --bench/],
      [["--bench", "1", "-d", "down", "--size", "1000"], /--size .* not down/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runScript("client.ts", args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
  });
});

/** Runs socat with `args` (PORT replaced), waits until it listens, and gives the port. */
async function withSocat<T>(args: string[], body: (port: number) => Promise<T>): Promise<T> {
  const port = await freePort();
  const socat = spawn("socat", args.map((arg) => arg.replace("PORT", String(port))), {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise((resolve) => socat.on("close", resolve));
  try {
    // Polled with ss, not by connecting: socat accepts one connection only.
    for (let i = 0; i < 100; i++) {
      const ss = spawnSync("ss", ["-Hltn", `sport = :${port}`], { encoding: "utf8" });
      if (ss.stdout.trim() !== "") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return await body(port);
  } finally {
    socat.kill("SIGKILL");
    await exited;
  }
}

describe("client.ts --bench against foreign ends", () => {
  const socatMissing = peerMissing("socat", "socat") || peerMissing("ss", "iproute2");

  test("--direction up to a socat sink ends when socat, having read all, closes", {
    skip: socatMissing,
  }, async () => {
    const result = await withSocat(
      ["-u", "TCP-LISTEN:PORT,reuseaddr,bind=127.0.0.1", "OPEN:/dev/null"],
      (port) => bench(port, "--direction", "up", "--json"),
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.ok(report.end.sum_sent.bytes > 0);
    assert.ok(report.end.sum_received.bytes >= report.end.sum_sent.bytes);
  });

  test("--direction down from a socat /dev/zero source counts what arrives", {
    skip: socatMissing,
  }, async () => {
    const result = await withSocat(
      ["-u", "OPEN:/dev/zero", "TCP-LISTEN:PORT,reuseaddr,bind=127.0.0.1"],
      (port) => bench(port, "--direction", "down"),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^\[ {2}1\]\s+0\.00-0\.50\s+sec\s+[\d.]+ [KMG]?Bytes .* receiver$/m,
    );
  });
});

describe("udp.ts bench loss and receive buffers", () => {
  test("udp.ts bench says whether lost datagrams were dropped by a full receive buffer", async () => {
    const { server, port } = await startUdpServer(["--mode", "discard"]);
    try {
      // A discard server answers nothing: every datagram counts as lost.
      const benchArgs = ["bench", "--port", String(port), "--rate", "1M", "--time", "0.5"];
      const text = await runScript("udp.ts", benchArgs, { timeoutMs: 30_000 });
      assert.match(text.stdout, /lost \(100%\)/);
      assert.match(
        text.stderr,
        /no datagram was dropped by a full receive buffer on this PC|datagrams were dropped by full receive buffers on this PC|count of datagrams dropped by full receive buffers is Linux's RcvbufErrors/,
      );
      const json = await runScript("udp.ts", [...benchArgs, "--json"], { timeoutMs: 30_000 });
      const { summary } = JSON.parse(json.stdout);
      assert.ok(summary.bufferDrops === null || Number.isInteger(summary.bufferDrops));
      assert.ok(
        summary.senderWaitedSeconds >= 0 && summary.senderWaitedSeconds <= 0.5,
        json.stdout,
      );
    } finally {
      await server.kill();
    }
  });
});
