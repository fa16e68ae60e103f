// Issue 21, items 2 and 7: a classmate against `udp.ts bench --direction up`.
// Item 2 forges bench datagrams with fresh run ids at a discard server, so
// the server's table of runs forgets another student's run; item 7 answers
// the report request with impossible figures. The fault battery
// (tests/scripts/fault_battery_udp_bench_test.ts) asserts on what these measure, and
// bench/soak.ts prints the same figures.
import {
  BenchDatagrams,
  type BenchReport,
  buildReport,
  buildReportRequest,
  readBenchHeader,
  readReportAnswer,
  readReportRequest,
  ReceiverTally,
} from "../../src/measure/mod.ts";
import { detectRuntime, type RuntimeName } from "../../src/net/runtime.ts";
import { bindUdp, type UdpEndpoint } from "../../src/udp/udp_endpoint.ts";
import { scriptCommandOn } from "../../tools/script_command.ts";
import { memoryOf, openFds } from "./fault_peers.ts";
import { sleep } from "./hostile_peers.ts";
import type { Round3Attack, Round3Figures } from "./round3_attack.ts";
import { listeningOn, RunningScript, type ScriptResult } from "./scripts.ts";

/** The forger: this many tiny bench datagrams, each a fresh run id, ... */
export const FORGED_BURST = 40;
/** ... every this many milliseconds. */
export const FORGED_EVERY_MS = 100;
/** A class benching at once against the teacher's discard server. */
export const CLASS_SIZE = 40;
// Long enough that a reply that was going to come has come, on a loaded machine.
const REPLY_MS = 1500;
const REPORT_TRIES = 3;
// A bench run that has not finished by then never will.
const BENCH_LIMIT_MS = 30_000;
const LOCAL = "127.0.0.1";

const randomRunId = () => crypto.getRandomValues(new Uint32Array(1))[0]!;

/** Starts `udp.ts server --mode discard` on `runtime`, with `args` after. */
export async function startDiscardOn(
  runtime: RuntimeName,
  args: string[] = [],
): Promise<{ server: RunningScript; port: number }> {
  const [command, argv] = scriptCommandOn(runtime, "udp.ts", [
    "server",
    "--mode",
    "discard",
    "--port",
    "0",
    ...args,
  ]);
  return await listeningOn(new RunningScript(command, argv));
}

/**
 * Runs `udp.ts bench` on `runtime` with `args`, killed after a limit so a
 * hung bench fails instead of hanging.
 */
export async function runBenchOn(runtime: RuntimeName, args: string[]): Promise<ScriptResult> {
  const [command, argv] = scriptCommandOn(runtime, "udp.ts", ["bench", ...args]);
  const bench = new RunningScript(command, argv);
  bench.endInput();
  const timer = setTimeout(() => bench.child.kill("SIGKILL"), BENCH_LIMIT_MS);
  try {
    return await bench.exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends {@linkcode FORGED_BURST} tiny bench datagrams, each with a fresh run
 * id, every {@linkcode FORGED_EVERY_MS} from one socket, until `stop` settles
 * or `maxMs` has passed.
 * @returns How many it sent.
 */
export async function forgeRunIds(
  port: number,
  stop: Promise<unknown>,
  maxMs: number,
): Promise<number> {
  const forger = await bindUdp({});
  const datagrams = new BenchDatagrams(20);
  let stopped = false;
  void stop.finally(() => (stopped = true));
  let sent = 0;
  try {
    const deadline = Date.now() + maxMs;
    while (!stopped && Date.now() < deadline) {
      for (let i = 0; i < FORGED_BURST; i++) {
        forger.send(datagrams.build({ runId: randomRunId(), seq: 0, sentAtMs: 0 }), {
          hostname: LOCAL,
          port,
        });
        sent++;
      }
      await sleep(FORGED_EVERY_MS);
    }
  } finally {
    await forger.close();
  }
  return sent;
}

/** What the victim saw: `udp.ts bench --direction up --rate 2M` while forged. */
export interface VictimFigures {
  code: number | null;
  sent: number;
  /** The receiver's count from the report; undefined when the bench printed none. */
  received: number | undefined;
  forged: number;
  stderr: string;
}

/** Runs the victim's bench on `runtime` against `port` while one peer forges run ids. */
export async function benchUnderForgery(
  runtime: RuntimeName,
  port: number,
  seconds: number,
): Promise<VictimFigures> {
  const args = ["--direction", "up", "--rate", "2M", "--time", `${seconds}`, "--port", `${port}`];
  const bench = runBenchOn(runtime, [...args, "--json"]);
  const forged = await forgeRunIds(port, bench, BENCH_LIMIT_MS);
  const result = await bench;
  // deno-lint-ignore no-explicit-any
  let json: any;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    throw new Error(`bench printed no JSON (exit ${result.code}): ${result.stderr}`);
  }
  return {
    code: result.code,
    sent: json.end.sum_sent.packets,
    received: json.end.sum_received?.packets,
    forged,
    stderr: result.stderr,
  };
}

/**
 * Opens runs from `sockets` sockets, `runsEach` apiece, then numbers one
 * datagram of each near the top of what a tally tells apart: each such run
 * once grew a 2 MiB bitmap on the server.
 * @returns How many datagrams it sent.
 */
export async function forgeTopSeqs(port: number, sockets = 64, runsEach = 8): Promise<number> {
  const forgers: UdpEndpoint[] = [];
  const datagrams = new BenchDatagrams(20);
  let sent = 0;
  try {
    for (let i = 0; i < sockets; i++) forgers.push(await bindUdp({}));
    for (const forger of forgers) {
      for (let run = 0; run < runsEach; run++) {
        const runId = randomRunId();
        for (const seq of [0, (1 << 24) - 1]) {
          forger.send(datagrams.build({ runId, seq, sentAtMs: 0 }), { hostname: LOCAL, port });
          sent++;
        }
      }
      // A pause per socket, so the server's receive buffer does not drop the forgery itself.
      await sleep(5);
    }
    await sleep(200);
  } finally {
    await Promise.all(forgers.map((forger) => forger.close()));
  }
  return sent;
}

/** One honest student of {@linkcode benchAsClass}: what it sent and what the server reported. */
export interface StudentFigures {
  sent: number;
  /** undefined: no report came back. */
  received: number | undefined;
}

/** Asks for run `runId`'s report from `socket`, a few times as the bench does. */
export async function askReport(
  socket: UdpEndpoint,
  port: number,
  runId: number,
): Promise<Uint8Array | undefined> {
  for (let i = 0; i < REPORT_TRIES; i++) {
    socket.send(buildReportRequest(runId), { hostname: LOCAL, port });
    const deadline = Date.now() + REPLY_MS;
    while (Date.now() < deadline) {
      const reply = await socket.receive(deadline - Date.now()).catch(() => null);
      if (!reply) break;
      const bytes = reply.message.bytes;
      // Anything naming this run is the answer, a report or not.
      if (
        bytes.length >= 8 && new DataView(bytes.buffer, bytes.byteOffset).getUint32(4) === runId
      ) {
        return bytes;
      }
    }
  }
  return undefined;
}

/**
 * A class of `students` honest benches at once, each from its own socket:
 * `datagrams` each, interleaved, then each asks for its report.
 */
export async function benchAsClass(
  port: number,
  students = CLASS_SIZE,
  datagrams = 50,
): Promise<StudentFigures[]> {
  const sockets: UdpEndpoint[] = [];
  try {
    for (let i = 0; i < students; i++) sockets.push(await bindUdp({}));
    const runIds = sockets.map(() => randomRunId());
    const build = new BenchDatagrams(200);
    for (let seq = 0; seq < datagrams; seq++) {
      sockets.forEach((socket, i) =>
        socket.send(build.build({ runId: runIds[i]!, seq, sentAtMs: performance.now() }), {
          hostname: LOCAL,
          port,
        })
      );
      // About 4,000 datagrams a second in all: a class at 1 Mbit/s each, not a flood.
      await sleep(10);
    }
    return await Promise.all(sockets.map(async (socket, i) => {
      const answer = await askReport(socket, port, runIds[i]!);
      const report = answer && readReportAnswer(answer, runIds[i]!);
      return {
        sent: datagrams,
        received: report?.kind === "report" ? report.counts.packets : undefined,
      };
    }));
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
  }
}

/** A class of students benching while one of them forges run ids. */
export async function classUnderForgery(port: number): Promise<{
  students: StudentFigures[];
  forged: number;
}> {
  const students = benchAsClass(port);
  const forged = await forgeRunIds(port, students, BENCH_LIMIT_MS);
  return { students: await students, forged };
}

/** A discard server of the test's own: counts bench datagrams, answers report requests with `forge`. */
export async function startFakeDiscard(
  forge: (runId: number, counts: BenchReport) => Uint8Array,
): Promise<{ port: number; close(): Promise<void> }> {
  const runs = new Map<number, ReceiverTally>();
  const socket = await bindUdp({
    onDatagram({ message, from }, endpoint) {
      const header = readBenchHeader(message.bytes);
      if (header) {
        let tally = runs.get(header.runId);
        // One test's runs only: a handful.
        if (!tally) runs.set(header.runId, tally = new ReceiverTally());
        tally.record(header.seq, header.sentAtMs, performance.now(), message.size);
        return;
      }
      const runId = readReportRequest(message.bytes);
      if (runId === undefined) return;
      const counts = runs.get(runId)?.counts() ?? new ReceiverTally().counts();
      endpoint.send(forge(runId, counts), from);
    },
  });
  return { port: socket.localAddress.port, close: () => socket.close() };
}

/** How many students' reports match what they sent, and the smallest share any report gave. */
export function classFigures(students: StudentFigures[]): { exact: number; worstShare: number } {
  const shares = students.map(({ sent, received }) => (received ?? 0) / sent);
  return {
    exact: students.filter(({ sent, received }) => received === sent).length,
    worstShare: Math.min(...shares),
  };
}

const mib = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);

/**
 * Item 2 on a fresh discard server on `runtime`: the victim bench
 * under forgery, then a class of 40 under forgery; the server's memory and
 * descriptors before and after.
 */
export const forgedRunIds: Round3Attack = async (runtime) => {
  const { server, port } = await startDiscardOn(runtime);
  try {
    const pid = server.child.pid!;
    const rssBefore = memoryOf(pid);
    const fdsBefore = openFds(pid);
    const victim = await benchUnderForgery(runtime, port, 4);
    const forgedClass = await classUnderForgery(port);
    const { exact, worstShare } = classFigures(forgedClass.students);
    const rssBeforeTop = memoryOf(pid);
    const topSeqs = await forgeTopSeqs(port);
    const figures: Round3Figures["figures"] = [
      [
        "victim received",
        `${victim.received ?? "no report"} of ${victim.sent} (exit ${victim.code})`,
      ],
      ["forged datagrams (victim)", `${victim.forged}`],
      ["class of 40 exact counts", `${exact} of ${forgedClass.students.length}`],
      ["class worst share", `${(worstShare * 100).toFixed(1)}%`],
      ["forged datagrams (class)", `${forgedClass.forged}`],
      ["top-seq datagrams forged", `${topSeqs} (${topSeqs / 2} runs from 64 ports)`],
      ["server RSS over them", `${mib(rssBeforeTop)} -> ${mib(memoryOf(pid))} MiB`],
      ["server RSS over the attack", `${mib(rssBefore)} -> ${mib(memoryOf(pid))} MiB`],
      ["server fds", `${fdsBefore} -> ${openFds(pid)}`],
    ];
    return { item: 2, name: "forged UDP bench run ids", figures };
  } finally {
    await server.kill();
  }
};

/** The forged report: 10x the datagrams, negative bytes, NaN jitter, a negative span. */
export function impossibleReport(counts: BenchReport): BenchReport {
  return {
    ...counts,
    packets: counts.packets * 10,
    bytes: -5_000_000_000,
    jitterMs: NaN,
    spanMs: -20_000,
  };
}

/** Item 7 on `runtime`'s bench: a fake discard server forges its report; is it printed? */
export const forgedReport: Round3Attack = async (runtime) => {
  const fake = await startFakeDiscard((runId, counts) =>
    buildReport(runId, impossibleReport(counts))
  );
  try {
    const result = await runBenchOn(runtime, [
      "--direction",
      "up",
      "--rate",
      "1M",
      "--time",
      "0.5",
      "--port",
      `${fake.port}`,
      "--json",
    ]);
    // deno-lint-ignore no-explicit-any
    const json: any = JSON.parse(result.stdout);
    const received = json.end.sum_received;
    return {
      item: 7,
      name: "forged UDP bench report",
      figures: [
        ["exit", `${result.code}`],
        ["sent", `${json.end.sum_sent.packets}`],
        ["received printed", received ? `${received.packets} (${received.bytes} bytes)` : "none"],
        ["rejected", /not credible/.test(result.stderr) ? "yes" : "no"],
      ],
    };
  } finally {
    await fake.close();
  }
};

/** The runtime running this code, for the tests. */
export const here: RuntimeName = detectRuntime();
