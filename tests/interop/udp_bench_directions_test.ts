// udp.ts bench --direction up and down, as iperf3 -u and -u -R: up against
// socklab's UDP discard server (which answers the report request with what
// arrived) and against a foreign sink (which does not); down against
// socklab's UDP chargen (a stream, as iperf3 -R's), against a foreign chargen
// (one request per answer) and against a port where nobody answers.
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { describe, test } from "node:test";
import {
  buildReport,
  buildReportRequest,
  readReport,
  readReportRequest,
  ReceiverTally,
} from "../../src/measure/mod.ts";
import { peerMissing } from "../helpers/peers.ts";
import {
  RunningScript,
  runScript,
  type ScriptResult,
  startUdpServer,
  stdoutJson,
} from "../helpers/scripts.ts";

const noPython = peerMissing("python3", "python3");
const RUN_LIMIT_MS = 30_000;
// Short and slow: these tests check what is counted and said, not speed.
const SHORT = ["--time", "0.5", "--rate", "1M"];

function bench(port: number, ...args: string[]): Promise<ScriptResult> {
  return runScript("udp.ts", ["bench", "--port", String(port), ...SHORT, ...args], {
    timeoutMs: RUN_LIMIT_MS,
  });
}

// deno-lint-ignore no-explicit-any
const parseJson = (result: ScriptResult) => stdoutJson<any>(result);

/** Runs `body` against `udp.ts server` started with `args`, stopping it afterwards. */
async function withUdpServer<T>(
  args: string[],
  body: (port: number, server: RunningScript) => Promise<T>,
): Promise<T> {
  const { server, port } = await startUdpServer(args);
  try {
    return await body(port, server);
  } finally {
    await server.kill();
  }
}

// A sink that is not socklab: it reads and drops every datagram, answers
// nothing, and prints how many it read when its stdin closes.
const PYTHON_SINK = `
import select, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
count = 0
while True:
    ready, _, _ = select.select([s, sys.stdin], [], [], 5)
    if s in ready:
        s.recv(65535)
        count += 1
    if sys.stdin in ready and not sys.stdin.read(1):
        break
print("received", count, flush=True)
`;

describe("udp.ts bench --direction up", () => {
  test("against udp.ts server --mode discard, the server's report gives the receiver line and loss", async () => {
    await withUdpServer(["--mode", "discard", "-v"], async (port, server) => {
      const text = await bench(port, "--direction", "up");
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^\[ ID\] Interval\s+Transfer\s+Bitrate\s+Total Datagrams$/m);
      assert.match(
        text.stdout,
        /^\[\s+1\]\s+0\.00-0\.50\s+sec\s+[\d.]+ KBytes\s+[\d.]+ \w+\/sec\s+\d+$/m,
      );
      const sender = text.stdout.match(/(\d+) datagrams sent\s+sender$/m);
      assert.ok(sender, text.stdout);
      const receiver = text.stdout.match(/[\d.]+ ms\s+(\d+)\/(\d+) \(([\d.]+)%\)\s+receiver$/m);
      assert.ok(receiver, text.stdout);
      assert.equal(receiver[2], sender[1]);
      // The server says the same with -v: the receiver's view lives there.
      await server.waitFor(/bench report sent: (\d+) datagrams/, { stream: "stderr" });

      const json = parseJson(await bench(port, "--direction", "up", "--json"));
      const { sum, sum_sent, sum_received } = json.end;
      assert.equal(json.start.test_start.protocol, "UDP");
      assert.equal(json.start.test_start.reverse, 0);
      assert.equal(json.start.test_start.blksize, 1470);
      assert.equal(sum_sent.sender, true);
      assert.equal(sum_received.sender, false);
      assert.ok(sum_sent.packets > 0);
      assert.equal(sum_sent.bytes, sum_sent.packets * 1470);
      const sentInIntervals = json.intervals.reduce(
        // deno-lint-ignore no-explicit-any
        (total: number, interval: any) => total + interval.sum.packets,
        0,
      );
      assert.equal(sentInIntervals, sum_sent.packets);
      assert.equal(sum_received.packets + sum_received.lost_packets, sum_sent.packets);
      assert.equal(sum_received.bytes, sum_received.packets * 1470);
      assert.equal(typeof sum_received.jitter_ms, "number");
      assert.equal(typeof sum_received.lost_percent, "number");
      assert.deepEqual(sum, sum_received);
      assert.equal(json.end.socklab.receiver_report, true);
    });
  });

  test("against a foreign sink, it reports the sender's side and says loss cannot be known here", {
    skip: noPython,
  }, async () => {
    const sink = new RunningScript("python3", ["-u", "-c", PYTHON_SINK]);
    try {
      const port = Number((await sink.waitFor(/^(\d+)$/m))[1]);
      const text = await bench(port, "--direction", "up");
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /\d+ datagrams sent\s+sender$/m);
      assert.doesNotMatch(text.stdout, /receiver/);
      assert.match(
        text.stderr,
        /no report from udp:\/\/127\.0\.0\.1:\d+: .*cannot be known from this side/,
      );

      const json = parseJson(await bench(port, "--direction", "up", "--json"));
      assert.equal(json.end.sum_received, undefined);
      assert.equal(json.end.sum.lost_percent, null);
      assert.equal(json.end.sum.jitter_ms, null);
      assert.equal(json.end.socklab.receiver_report, false);
      sink.child.stdin!.end();
      const received = Number((await sink.waitFor(/received (\d+)/))[1]);
      // Both runs' data reached the sink, their report requests too.
      const sent = Number(text.stdout.match(/(\d+) datagrams sent/)![1])
        + json.end.sum_sent.packets;
      assert.ok(received >= sent, `sink read ${received}, bench sent ${sent}`);
    } finally {
      await sink.kill();
    }
  });
});

describe("udp.ts bench --direction down", () => {
  test("against udp.ts server --mode chargen, the server's stream is counted as iperf3 -R counts it", async () => {
    await withUdpServer(["--mode", "chargen"], async (port) => {
      const text = await bench(port, "--direction", "down");
      assert.equal(text.code, 0, text.stderr);
      // The intervals' header is checked below, with its Jitter column.
      assert.match(text.stderr, /asks socklab's chargen .* for a stream of 1470-byte datagrams/);
      const sender = text.stdout.match(/ (\d+) datagrams sent\s+sender$/m);
      assert.ok(sender, text.stdout);
      const receiver = text.stdout.match(/ [\d.]+ ms\s+\d+\/(\d+) \([\d.]+%\)\s+receiver$/m);
      assert.ok(receiver, text.stdout);
      assert.equal(receiver[1], sender[1]);
      // Each interval as iperf3 -R's receiver prints it: jitter so far, then lost/total.
      assert.match(
        text.stdout,
        /^\[ ID\] Interval\s+Transfer\s+Bitrate\s+Jitter\s+Lost\/Total Datagrams$/m,
      );
      assert.match(
        text.stdout,
        /^\[ {2}1\]\s+0\.00-\S+\s+sec .* [\d.]+ ms\s+\d+\/\d+ \([\d.]+%\)$/m,
      );
      assert.match(text.stderr, /lost = datagrams the server says it sent that never arrived/);
      assert.doesNotMatch(text.stderr, /each request asks for one answer/);

      const json = parseJson(await bench(port, "--direction", "down", "--json"));
      const { sum, sum_sent, sum_received, streams } = json.end;
      assert.equal(json.start.test_start.reverse, 1);
      assert.equal(json.start.test_start.blksize, 1470);
      assert.equal(json.start.socklab.down_mode, "stream");
      assert.equal(json.start.socklab.request_bytes, undefined);
      assert.ok(sum_sent.packets > 0);
      assert.ok(sum_received.packets > 0);
      assert.equal(sum_sent.bytes, sum_sent.packets * 1470);
      assert.equal(sum_received.bytes, sum_received.packets * 1470);
      assert.equal(sum_received.lost_packets, sum_sent.packets - sum_received.packets);
      assert.equal(typeof sum_received.jitter_ms, "number");
      assert.equal(typeof json.intervals[0].sum.jitter_ms, "number");
      assert.equal(typeof streams[0].udp.out_of_order, "number");
      assert.equal(sum_received.sender, false);
      assert.deepEqual(sum, sum_received);
      assert.equal(json.end.socklab.down_mode, "stream");
      assert.equal(json.end.socklab.sender_counted, true);
      assert.equal(typeof json.end.socklab.duplicates, "number");
      assert.equal(json.end.socklab.buffer_drops_side, "receiver");
    });
  });

  test("against a foreign chargen, one request per 512-byte answer is counted as before", async () => {
    // What an RFC 864 UDP chargen does: any datagram is answered with characters.
    const chargen = dgram.createSocket("udp4");
    const answer = new TextEncoder().encode("!\"#$%&'()*+,-./0123456789".repeat(21).slice(0, 512));
    chargen.on("message", (_bytes, from) => chargen.send(answer, from.port, from.address));
    chargen.on("error", () => {});
    try {
      await new Promise<void>((resolve) => chargen.bind(0, "127.0.0.1", resolve));
      const port = chargen.address().port;
      const text = await bench(port, "--direction", "down");
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /\d+ requests sent\s+sender$/m);
      assert.match(text.stdout, /n\/a\s+\d+\/\d+ \([\d.]+%\)\s+receiver$/m);
      assert.match(text.stderr, /lost = requests without an answer/);

      const json = parseJson(await bench(port, "--direction", "down", "--json"));
      const { sum_sent, sum_received } = json.end;
      assert.equal(json.start.test_start.reverse, 1);
      assert.equal(json.start.test_start.blksize, 512);
      assert.equal(json.start.socklab.down_mode, "requests");
      assert.equal(typeof json.start.socklab.request_bytes, "number");
      assert.ok(sum_sent.packets > 0);
      assert.ok(sum_received.packets > 0);
      assert.equal(sum_received.bytes, sum_received.packets * 512);
      assert.equal(sum_received.lost_packets, sum_sent.packets - sum_received.packets);
      assert.equal(sum_received.jitter_ms, null);
      assert.equal(json.end.socklab.down_mode, "requests");
      assert.equal(json.end.socklab.sender_counted, null);
    } finally {
      await new Promise<void>((resolve) => chargen.close(() => resolve()));
    }
  });

  test("against a port where nobody answers, it fails with exit 1 and says what is needed", async () => {
    const silent = dgram.createSocket("udp4");
    try {
      await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
      const result = await bench(silent.address().port, "--direction", "down");
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        /^udp\.ts: no answers from 127\.0\.0\.1:\d+ to \d+ requests; .*needs a chargen server/m,
      );
      assert.match(result.stdout, /(\d+)\/\1 \(100%\)\s+receiver$/m);
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("udp.ts bench --direction usage and wire format", () => {
  test("usage errors name the flag and value and exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["bench", "--direction", "sideways"],
        /--direction must be one of up, down, both, got 'sideways'/,
      ],
      [["bench", "-d", "down", "--size", "10"], /--size .*'10'/],
      // Down streams --size datagrams: over IPv4's limit is refused before anything is sent.
      [
        ["bench", "-d", "down", "--size", "65520", "--port", "9"],
        /--size must be at most 65507 bytes .*'65520'/,
      ],
      [["bench", "-d", "up", "--size", "10"], /--size .*'10'/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runScript("udp.ts", args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
    }
  });

  test("a report carries the receiver's counts for its run only", () => {
    const tally = new ReceiverTally();
    for (const seq of [0, 1, 3, 2, 3]) tally.record(seq, seq * 10, seq * 10 + 5, 100);
    const counts = tally.counts();
    assert.deepEqual(counts, {
      packets: 4,
      bytes: 400,
      duplicates: 1,
      outOfOrder: 1,
      jitterMs: 0,
      spanMs: 30,
    });
    assert.equal(readReportRequest(buildReportRequest(7)), 7);
    assert.equal(readReportRequest(new Uint8Array(8)), undefined);
    assert.deepEqual(readReport(buildReport(7, counts), 7), counts);
    assert.equal(readReport(buildReport(7, counts), 8), undefined);
  });
});
