// `npm run bench`: every server under the same load generator, side by side,
// in one run. Prints a table with ratios, writes bench/out/results.json and
// renders docs/bench.svg. Figures from different runs are not comparable: the
// machine is shared and noisy, so only ratios within one run mean anything.
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { hasCommand } from "../tests/helpers/peers.ts";
import { scriptCommandOn } from "../tools/script_command.ts";
import { renderChart } from "./chart.ts";
import {
  anchorComparison,
  type BenchResult,
  headline,
  NOISE_SUFFIX,
  noiseFloors,
  printTable,
  RAW_DENO_CALLBACKS,
  targetChecks,
  udpRateFigures,
} from "./report.ts";

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OUT = `${ROOT}bench/out`;
const LOADGEN = `${OUT}/loadgen`;
const BIN = `${ROOT}node_modules/.bin`;
const quick = process.argv.includes("--quick");
// `--only stream` runs just the workloads whose name contains "stream".
const only = process.argv[process.argv.indexOf("--only") + 1];
const onlyMatches = (workload: string) =>
  !process.argv.includes("--only") || (only !== undefined && workload.includes(only));
const SECONDS = quick ? 1 : 2;
// Each workload runs this many times, servers interleaved, and ratios are taken
// within each round, then reported as their median and range: one round of one
// server can catch a noisy moment of a shared machine (the same raw echo has
// measured 1.7 and 2.1 GB/s minutes apart).
const ROUNDS = quick ? 1 : 3;
// The 0.95-of-raw targets sit inside that noise: issue 26 asks for the median
// of at least 7 interleaved rounds.
const CLOSE_CALL_ROUNDS = quick ? 1 : 7;
// The workloads against iperf3 run 2 * SECONDS per server; 5 rounds keep the run bearable.
const IPERF3_ROUNDS = quick ? 1 : 5;
const IDLE_CONNS = quick ? 2000 : 10_000;

interface ServerSpec {
  name: string;
  runtime: "deno" | "bun" | "python" | "socat" | "iperf3";
  kind: "socklab" | "raw" | "peer";
  command: string[];
  /** Peers like socat need a port chosen for them. */
  fixedPort?: boolean;
}

const deno = (script: string, ...args: string[]) => scriptCommandOn("deno", script, args).flat();
const denoRaw = (...args: string[]) => [
  `${BIN}/deno`,
  "run",
  "--allow-net",
  "--unstable-net",
  `${ROOT}bench/raw_echo_deno.ts`,
  ...args,
];
const bun = (script: string, ...args: string[]) => scriptCommandOn("bun", script, args).flat();

function tcpServers(framing: "line" | "length"): ServerSpec[] {
  const echo = ["--port", "0", "--mode", "echo", "--framing", framing];
  const servers: ServerSpec[] = [
    {
      name: `socklab deno ${framing}`,
      runtime: "deno",
      kind: "socklab",
      command: deno("server.ts", ...echo),
    },
    {
      name: `socklab bun ${framing}`,
      runtime: "bun",
      kind: "socklab",
      command: bun("server.ts", ...echo),
    },
    { name: "raw deno", runtime: "deno", kind: "raw", command: denoRaw("tcp") },
    { name: "raw bun", runtime: "bun", kind: "raw", command: bun("bench/raw_echo_bun.ts", "tcp") },
    {
      name: "python asyncio",
      runtime: "python",
      kind: "peer",
      command: ["python3", `${ROOT}bench/python_echo.py`],
    },
  ];
  if (hasCommand("socat")) {
    servers.push({
      name: "socat fork cat",
      runtime: "socat",
      kind: "peer",
      command: ["socat", "TCP-LISTEN:PORT,bind=127.0.0.1,fork,reuseaddr", "EXEC:cat"],
      fixedPort: true,
    });
  }
  return servers;
}

function udpServers(): ServerSpec[] {
  const echo = ["server", "--port", "0", "--mode", "echo"];
  return [
    {
      name: "socklab deno udp",
      runtime: "deno",
      kind: "socklab",
      command: deno("udp.ts", ...echo),
    },
    { name: "socklab bun udp", runtime: "bun", kind: "socklab", command: bun("udp.ts", ...echo) },
    { name: "raw deno udp", runtime: "deno", kind: "raw", command: denoRaw("udp") },
    {
      name: "raw bun udp",
      runtime: "bun",
      kind: "raw",
      command: bun("bench/raw_echo_bun.ts", "udp"),
    },
    {
      name: "python asyncio udp",
      runtime: "python",
      kind: "peer",
      command: ["python3", `${ROOT}bench/python_echo.py`, "udp"],
    },
  ];
}

// iperf3's server, where installed: the anchor of the throughput comparisons.
function iperf3Server(direction: "up" | "down"): ServerSpec[] {
  if (!hasCommand("iperf3")) return [];
  return [{
    name: direction === "up" ? "iperf3" : "iperf3 -R",
    runtime: "iperf3",
    kind: "peer",
    command: ["iperf3", "-s", "--bind", "127.0.0.1", "-p", "PORT"],
    fixedPort: true,
  }];
}

// One TCP stream on loopback, one way: socklab's server and client on the same
// runtime against iperf3 (-R for the download), each figure the receiver's.
function throughputServers(direction: "up" | "down"): ServerSpec[] {
  const mode = direction === "up" ? "discard" : "chargen";
  const servers: ServerSpec[] = [
    {
      name: `socklab deno ${mode}`,
      runtime: "deno",
      kind: "socklab",
      command: deno("server.ts", "--port", "0", "--mode", mode),
    },
    {
      name: `socklab bun ${mode}`,
      runtime: "bun",
      kind: "socklab",
      command: bun("server.ts", "--port", "0", "--mode", mode),
    },
  ];
  return [...servers, ...iperf3Server(direction)];
}

// iperf3's client against the server on `port`, its JSON report on stdout; `-R` for down.
function iperf3Client(
  port: number,
  seconds: string,
  direction: "up" | "down",
  extra: string[] = [],
): [string, string[]] {
  return [
    "iperf3",
    [
      "-c",
      "127.0.0.1",
      "-p",
      String(port),
      ...extra,
      "-t",
      seconds,
      "-J",
      ...(direction === "down" ? ["-R"] : []),
    ],
  ];
}

function gbitPerSecond(report: { end: { sum_received: { bits_per_second: number } } }): number {
  return Number((report.end.sum_received.bits_per_second / 1e9).toFixed(3));
}

// The receiver's figure from the JSON both tools print (socklab's follows iperf3's -J).
async function throughput(
  spec: ServerSpec,
  port: number,
  direction: "up" | "down",
): Promise<Record<string, number>> {
  const seconds = String(SECONDS * 2);
  const [command, args] = spec.runtime === "iperf3"
    ? iperf3Client(port, seconds, direction)
    : scriptCommandOn(spec.runtime as "deno" | "bun", "client.ts", [
      "--port",
      String(port),
      "--bench",
      seconds,
      "--direction",
      direction,
      "--json",
    ]);
  const { stdout } = await execFileAsync(command, args, { encoding: "utf8", timeout: 60_000 });
  return { gbit_per_s: gbitPerSecond(JSON.parse(stdout)) };
}

// UDP at 1 Gbit/s on loopback, one way: socklab's udp.ts bench against its
// own runtime's discard (up) or chargen (down) server, and iperf3 -u (-R).
function udpRateServers(direction: "up" | "down"): ServerSpec[] {
  const mode = direction === "up" ? "discard" : "chargen";
  const server = ["server", "--mode", mode, "--port", "0"];
  const servers: ServerSpec[] = [
    {
      name: `socklab deno udp ${mode}`,
      runtime: "deno",
      kind: "socklab",
      command: deno("udp.ts", ...server),
    },
    {
      name: `socklab bun udp ${mode}`,
      runtime: "bun",
      kind: "socklab",
      command: bun("udp.ts", ...server),
    },
  ];
  return [...servers, ...iperf3Server(direction)];
}

const UDP_RATE = "1G";
const UDP_DATAGRAM_BYTES = "1472";

async function udpAtRate(
  spec: ServerSpec,
  port: number,
  direction: "up" | "down",
): Promise<Record<string, number>> {
  const seconds = String(SECONDS * 2);
  const [command, args] = spec.runtime === "iperf3"
    ? iperf3Client(port, seconds, direction, ["-u", "-b", UDP_RATE, "-l", UDP_DATAGRAM_BYTES])
    // Down's stream is of --size datagrams, as iperf3 -R's of -l.
    : scriptCommandOn(spec.runtime as "deno" | "bun", "udp.ts", [
      "bench",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--direction",
      direction,
      "--rate",
      UDP_RATE,
      "--size",
      UDP_DATAGRAM_BYTES,
      "--time",
      seconds,
      "--json",
    ]);
  const { stdout } = await execFileAsync(command, args, {
    encoding: "utf8",
    timeout: 60_000,
    maxBuffer: 16 << 20,
  });
  return udpRateFigures(JSON.parse(stdout));
}

function freePort(): number {
  const script =
    "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])";
  return Number(execFileSync("python3", ["-c", script], { encoding: "utf8" }).trim());
}

interface Running {
  spec: ServerSpec;
  child: ChildProcess;
  port: number;
}

async function start(spec: ServerSpec): Promise<Running> {
  let command = spec.command;
  let fixed: number | undefined;
  if (spec.fixedPort) {
    fixed = freePort();
    command = command.map((part) => part.replace("PORT", String(fixed)));
  }
  // Enough descriptors for the idle-connections test.
  const child = spawn("sh", ["-c", `ulimit -n 20000 2>/dev/null; exec "$@"`, "sh", ...command], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  if (fixed !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { spec, child, port: fixed };
  }
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      // The run goes on to the next server: leave nothing behind.
      child.kill("SIGKILL");
      reject(new Error(`${spec.name} did not start: ${stderr}`));
    }, 15_000);
    child.stdout!.on("data", (d) => {
      stdout += d;
      const match = stdout.match(/listening on \w+:\/\/[^\s]*:(\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`${spec.name} exited: ${stderr}`));
    });
  });
  return { spec, child, port };
}

async function stop(running: Running): Promise<void> {
  // A server that already died has no "close" left to wait for.
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  const closed = new Promise((resolve) => running.child.on("close", resolve));
  running.child.kill("SIGKILL");
  await closed;
}

// Asynchronous on purpose: a synchronous call would stop this process from
// draining the server's stdout, and a chat server printing its transcript
// into a full pipe stalls (Deno writes stdout synchronously).
async function loadgen(args: (string | number)[]): Promise<Record<string, number>> {
  try {
    const { stdout } = await execFileAsync(LOADGEN, args.map(String), {
      encoding: "utf8",
      timeout: 120_000,
    });
    return JSON.parse(stdout);
  } catch (error) {
    // A run that did not complete (lost deliveries, short echo) still shows its figures.
    const stdout = String((error as { stdout?: unknown }).stdout ?? "");
    if (!stdout.trim()) throw error;
    return { ...JSON.parse(stdout), incomplete: 1 };
  }
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]);
}

async function idleMemory(running: Running): Promise<Record<string, number>> {
  const before = rssKiB(running.child.pid!);
  const holder = spawn(LOADGEN, ["idle", "127.0.0.1", String(running.port), String(IDLE_CONNS)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve) => {
    let out = "";
    holder.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(out);
    });
  });
  // Give the server time to accept and set up every connection before measuring.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const after = rssKiB(running.child.pid!);
  holder.stdin!.end();
  await new Promise((resolve) => holder.on("close", resolve));
  const result = JSON.parse(line);
  return {
    ...result,
    rss_before_kib: before,
    rss_after_kib: after,
    kib_per_conn: (after - before) / IDLE_CONNS,
  };
}

/** A round that gave no figures, kept in results.json so a note can say so. */
interface RoundError {
  workload: string;
  server: string;
  round: number;
  error: string;
}
const errors: RoundError[] = [];

// execFile's message repeats the whole command line; the client's last words say more.
function failureText(error: unknown): string {
  const { message, stderr, code } = error as { message?: string; stderr?: unknown; code?: unknown };
  const lastLine = String(stderr ?? "").trim().split("\n").pop()?.slice(0, 300);
  return typeof code === "number" && lastLine
    ? `exited ${code}: ${lastLine}`
    : String(message ?? error).split("\n")[0]!;
}

async function measure(
  results: BenchResult[],
  workload: string,
  specs: ServerSpec[],
  run: (running: Running) => Promise<Record<string, number>> | Record<string, number>,
  rounds = ROUNDS,
): Promise<void> {
  if (!onlyMatches(workload)) return;
  // Indexed by round, null where it failed, so ratios pair servers by round.
  const byServer: Map<ServerSpec, (Record<string, number> | null)[]> = new Map(
    specs.map((spec) => [spec, []]),
  );
  for (let round = 1; round <= rounds; round++) {
    // Every other round runs the servers in reverse, so that a drift within a
    // round (in one run the same raw echo measured 1.3x its second copy six
    // rounds in seven) favours no server's place in the order.
    for (const spec of round % 2 === 0 ? [...specs].reverse() : specs) {
      let figures: Record<string, number> | null = null;
      try {
        const running = await start(spec);
        try {
          figures = await run(running);
          process.stderr.write(
            `${workload.padEnd(24)} ${spec.name.padEnd(22)} ${round}/${rounds} ${
              JSON.stringify(figures)
            }\n`,
          );
        } finally {
          await stop(running);
        }
      } catch (error) {
        const text = failureText(error);
        errors.push({ workload, server: spec.name, round, error: text });
        process.stderr.write(`${workload} ${spec.name} ${round}/${rounds}: ${text}\n`);
      }
      byServer.get(spec)!.push(figures);
    }
  }
  for (const [spec, roundFigures] of byServer) {
    const { name: server, kind, runtime } = spec;
    const measured = roundFigures.flatMap((figures) =>
      figures ? [{ workload, server, kind, runtime, figures }] : []
    );
    if (measured.length === 0) continue;
    const sorted = [...measured].sort((a, b) => headline(a).value - headline(b).value);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    results.push({ ...median, rounds: measured.map((r) => headline(r).value), roundFigures });
  }
}

execFileSync("mkdir", ["-p", OUT]);
execFileSync("cc", ["-O2", "-o", LOADGEN, `${ROOT}bench/loadgen.c`]);
const results: BenchResult[] = [];
const line = tcpServers("line");
// The 0.95-of-raw workloads also run each raw echo twice: how far the same
// server lands from itself in a round is this machine's resolution for that ratio.
const withRawTwice = (specs: ServerSpec[]): ServerSpec[] => [
  ...specs,
  ...specs.filter((s) => s.kind === "raw").map((s) => ({
    ...s,
    name: `${s.name}${NOISE_SUFFIX}`,
    kind: "peer" as const,
  })),
];
const length = tcpServers("length").filter((s) => s.kind === "socklab");

await measure(
  results,
  "pingpong 1 conn",
  line,
  (r) => loadgen(["pingpong", "127.0.0.1", r.port, 1, SECONDS, 64, "line"]),
);
// Deno's raw echo in callbacks too: the stricter anchor (bench/raw_echo_deno.ts).
const rawDenoCallbacks: ServerSpec = {
  name: RAW_DENO_CALLBACKS,
  runtime: "deno",
  kind: "peer",
  command: denoRaw("tcp-callbacks"),
};
await measure(
  results,
  "pingpong 50 conns",
  [...withRawTwice(line), rawDenoCallbacks],
  (r) => loadgen(["pingpong", "127.0.0.1", r.port, 50, SECONDS, 64, "line"]),
  CLOSE_CALL_ROUNDS,
);
await measure(
  results,
  "pingpong 50 conns length",
  length,
  (r) => loadgen(["pingpong", "127.0.0.1", r.port, 50, SECONDS, 64, "length"]),
);
await measure(
  results,
  "stream 1 KiB lines",
  line.filter((s) => s.kind !== "peer"),
  (r) => loadgen(["stream", "127.0.0.1", r.port, SECONDS, 1024, "line"]),
);
await measure(
  results,
  "stream 64 KiB length",
  [...length, ...line.filter((s) => s.kind === "raw")],
  (r) => loadgen(["stream", "127.0.0.1", r.port, SECONDS, 65536, "length"]),
);
for (const direction of ["up", "down"] as const) {
  await measure(
    results,
    `throughput ${direction} 1 stream`,
    throughputServers(direction),
    (r) => throughput(r.spec, r.port, direction),
    IPERF3_ROUNDS,
  );
}
for (const direction of ["up", "down"] as const) {
  await measure(
    results,
    `udp 1G ${direction}`,
    udpRateServers(direction),
    (r) => udpAtRate(r.spec, r.port, direction),
    IPERF3_ROUNDS,
  );
}
await measure(
  results,
  "udp 1 client",
  udpServers(),
  (r) => loadgen(["udp", "127.0.0.1", r.port, 1, SECONDS, 64]),
);
await measure(
  results,
  "udp 50 clients",
  withRawTwice(udpServers()),
  (r) => loadgen(["udp", "127.0.0.1", r.port, 50, SECONDS, 64]),
  CLOSE_CALL_ROUNDS,
);
const chat = [
  {
    name: "socklab deno chat",
    runtime: "deno",
    kind: "socklab",
    command: deno("server.ts", "--port", "0", "--mode", "chat"),
  },
  {
    name: "socklab bun chat",
    runtime: "bun",
    kind: "socklab",
    command: bun("server.ts", "--port", "0", "--mode", "chat"),
  },
] satisfies ServerSpec[];
await measure(
  results,
  "chat fan-out 20 clients",
  chat,
  (r) => loadgen(["fanout", "127.0.0.1", r.port, 20, quick ? 100 : 500]),
);
await measure(
  results,
  `idle ${IDLE_CONNS} conns`,
  line.filter((s) => s.runtime !== "socat"),
  idleMemory,
  1,
);

const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  deno: execFileSync(`${BIN}/deno`, ["--version"], { encoding: "utf8" }).split(" (")[0],
  bun: execFileSync(`${BIN}/bun`, ["--version"], { encoding: "utf8" }).trim(),
  date: new Date().toISOString(),
  seconds_per_workload: SECONDS,
  rounds: ROUNDS,
  close_call_rounds: CLOSE_CALL_ROUNDS,
  iperf3_rounds: IPERF3_ROUNDS,
};
// Each socklab result carries its per-round comparison with its anchor, and
// each target its per-round values, so a note can quote them.
const report = {
  machine,
  results: results.map((result) => {
    const comparison = anchorComparison(results, result);
    if (!comparison) return result;
    const { anchor, key, by, perRound } = comparison;
    return { ...result, vs_anchor: { anchor, key, by, per_round: perRound } };
  }),
  targets: targetChecks(results),
  resolution: noiseFloors(results),
  errors,
};
// socklab's own JavaScript per message, without the kernel: steady where the
// ratios above move by a fifth between rounds.
const jsCost: string[] = [];
if (onlyMatches("js cost")) {
  for (const [command, args] of [[`${BIN}/deno`, ["run", "-A"]], [`${BIN}/bun`, []]] as const) {
    const { stdout } = await execFileAsync(command, [...args, `${ROOT}bench/js_cost.ts`], {
      encoding: "utf8",
      timeout: 120_000,
    });
    jsCost.push(...stdout.trim().split("\n"));
  }
}
const saved = { ...report, js_cost: jsCost };
writeFileSync(`${OUT}/results.json`, JSON.stringify(saved, null, 2));
printTable(results, machine);
if (jsCost.length > 0) {
  process.stdout.write(`\nsocklab's JavaScript per message (bench/js_cost.ts):\n`);
  for (const line of jsCost) process.stdout.write(`  ${line}\n`);
}
if (!quick && !process.argv.includes("--only")) {
  writeFileSync(`${ROOT}docs/bench.svg`, renderChart(results, machine));
  writeFileSync(
    `${ROOT}docs/bench-results.json`,
    `${JSON.stringify(saved, null, 2)}\n`,
  );
}
process.exit(0);
