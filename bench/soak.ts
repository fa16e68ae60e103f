// Issue 7's soak and fault figures for each runtime's server.ts (and udp.ts
// server): `deno run -A bench/soak.ts` or `bun bench/soak.ts` (`--quick` for a
// short run). For each runtime it prints the fault cases tried and survived,
// the soak's messages sent and lost (must be 0) and the servers' peak memory;
// then, for issue 12's attacks, each on a fresh server, that server's peak
// memory, descriptors before and after, and what the attack measured; then
// issue 21's attacks (TLS, UDP bench, fault flags, amplification, checker,
// TCP bench), each with the figures it measured. `--only-round3` runs only those.
// The clients run on whichever runtime runs this script; the servers are
// started with `deno run -qP` and `bun` from node_modules/.bin.
import process from "node:process";
import { connect } from "../src/tcp/tcp_client.ts";
import { bindUdp } from "../src/udp/udp_endpoint.ts";
import {
  CASE_MAX_FRAME,
  type CaseFigures,
  type CaseServer,
  FAULT_CASES,
  type FaultCase,
} from "../tests/helpers/fault_cases.ts";
import {
  assertServes,
  fdsSettle,
  memoryOf,
  openFds,
  type Target,
} from "../tests/helpers/fault_peers.ts";
import { addFigures, chatSoak, echoSoak, type SoakFigures } from "../tests/helpers/fault_soak.ts";
import type { Round3Attack, Round3Figures } from "../tests/helpers/round3_attack.ts";
import { checkerAgainstFlood } from "../tests/helpers/round3_checker.ts";
import { benchAgainstStalledSink } from "../tests/helpers/round3_tcp_bench.ts";
import { silentTlsAttack } from "../tests/helpers/round3_tls.ts";
import { forgedReport, forgedRunIds } from "../tests/helpers/round3_udp_bench.ts";
import { chargenAmplification, faultFlood } from "../tests/helpers/round3_udp_limits.ts";
import { RunningScript } from "../tests/helpers/scripts.ts";
import { scriptCommandOn } from "../tools/script_command.ts";

const quick = process.argv.includes("--quick");
const onlyRound3 = process.argv.includes("--only-round3");
// In the order; each starts and stops what it attacks.
const ROUND3_ATTACKS: readonly Round3Attack[] = [
  silentTlsAttack,
  forgedRunIds,
  faultFlood,
  checkerAgainstFlood,
  benchAgainstStalledSink,
  chargenAmplification,
  forgedReport,
];
const CLIENTS = 100;
const MESSAGES = quick ? 100 : 1000;
const MAX_SIZE = 2048;
const CHAT_CLIENTS = 20;
const CHAT_MESSAGES = quick ? 50 : 200;
const FD_SLACK = 8;
const MIB = 1024 * 1024;

type Runtime = "deno" | "bun";

const COMMANDS: Record<Runtime, (script: string, args: string[]) => [string, string[]]> = {
  deno: (script, args) => scriptCommandOn("deno", script, args),
  bun: (script, args) => scriptCommandOn("bun", script, args),
};

const SERVER_ARGS: Record<CaseServer, [string, string[]]> = {
  "echo-line": ["server.ts", ["--max-frame", `${CASE_MAX_FRAME}`]],
  "echo-length": ["server.ts", ["--framing", "length", "--max-frame", `${CASE_MAX_FRAME}`]],
  upper: ["server.ts", ["--mode", "upper"]],
  chat: ["server.ts", ["--mode", "chat"]],
  udp: ["udp.ts", ["server", "--max-datagram", `${CASE_MAX_FRAME}`]],
};

/** A server this script started, with what it takes to check on it. */
interface Started {
  script: RunningScript;
  port: number;
  baselineFds: number;
}

/** What one of issue 12's attacks did to its own server. */
interface AttackFigures {
  name: string;
  survived: boolean;
  /** Peak resident memory over the server's life (warm-up, then the attack). */
  peakBytes: number;
  rssBefore: number;
  /** Undefined once the server has exited. */
  rssAfter?: number;
  fdsBefore: number;
  fdsAfter?: number;
  figures: CaseFigures;
}

/** What one runtime's servers did. */
interface RuntimeFigures {
  tried: number;
  survived: number;
  failures: string[];
  soak: SoakFigures;
  peakBytes: number;
  attacks: AttackFigures[];
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function start(runtime: Runtime, script: string, args: string[]): Promise<Started> {
  const [command, argv] = COMMANDS[runtime](script, [...args, "--port", "0"]);
  const running = new RunningScript(command, argv);
  try {
    const match = await running.waitFor(/listening on \w+:\/\/\[?[^\s\]]*\]?:(\d+)/, {
      timeoutMs: 20_000,
    });
    return { script: running, port: Number(match[1]), baselineFds: openFds(running.child.pid!) };
  } catch (error) {
    await running.kill();
    throw error;
  }
}

async function udpAnswers(port: number): Promise<void> {
  const socket = await bindUdp({});
  try {
    // Retried as any UDP client would: right after a flood, one datagram may be dropped by a full buffer.
    for (let attempt = 0; attempt < 5; attempt++) {
      socket.send("fresh", { hostname: "127.0.0.1", port });
      const reply = await socket.receive(2000).catch(() => null);
      if (reply?.message.text === "fresh") return;
    }
    throw new Error("a fresh UDP client got no answer in 5 tries");
  } finally {
    await socket.close();
  }
}

/** Peak resident memory of a running server; 0 once it has exited. */
function peakOf(started: Started): number {
  try {
    return memoryOf(started.script.child.pid!, "VmHWM");
  } catch {
    return 0;
  }
}

async function stop(started: Started): Promise<number> {
  const peak = peakOf(started);
  if (started.script.child.exitCode === null) process.kill(started.script.child.pid!, "SIGINT");
  const timer = setTimeout(() => started.script.child.kill("SIGKILL"), 10_000);
  await started.script.exited;
  clearTimeout(timer);
  return peak;
}

async function faultCases(runtime: Runtime, figures: RuntimeFigures): Promise<void> {
  const servers = new Map<CaseServer, Started>();
  try {
    for (const kind of Object.keys(SERVER_ARGS) as CaseServer[]) {
      const [script, args] = SERVER_ARGS[kind];
      const started = await start(runtime, script, args);
      servers.set(kind, started);
      // Warm up, so the descriptor baseline counts what the first client opens.
      if (kind === "udp") await udpAnswers(started.port);
      else await assertServes(targetOf(kind, started.port));
      started.baselineFds = openFds(started.script.child.pid!);
    }
    for (const fault of FAULT_CASES.filter((fault) => !fault.serverArgs)) {
      const started = servers.get(fault.server)!;
      const target = targetOf(fault.server, started.port);
      figures.tried++;
      try {
        await fault.run(target, { pid: started.script.child.pid!, figures: {} });
        if (started.script.child.exitCode !== null) throw new Error("the server exited");
        if (fault.server === "udp") await udpAnswers(started.port);
        else await assertServes(target);
        await fdsSettle(started.script.child.pid!, started.baselineFds + FD_SLACK);
        figures.survived++;
      } catch (error) {
        figures.failures.push(`${fault.name}: ${(error as Error).message}`);
      }
    }
    const inUse = await portInUse(runtime, servers.get("echo-line")!.port);
    figures.tried++;
    if (inUse === undefined) figures.survived++;
    else figures.failures.push(`port in use: ${inUse}`);
  } finally {
    for (const started of servers.values()) {
      figures.peakBytes = Math.max(figures.peakBytes, await stop(started));
    }
  }
  figures.tried++;
  const interrupted = await sigintInTraffic(runtime);
  if (interrupted === undefined) figures.survived++;
  else figures.failures.push(`SIGINT in the middle of traffic: ${interrupted}`);
}

/** A fresh client is served within `ms`: a slot an attacker held may take a moment to free. */
async function servesWithin(target: Target, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await assertServes(target);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Runs each case that asks for a server of its own on a fresh one, and notes what it cost. */
async function attacks(runtime: Runtime, figures: RuntimeFigures): Promise<void> {
  for (const fault of FAULT_CASES.filter((fault) => fault.serverArgs)) {
    err(`${runtime}: ${fault.name}...`);
    figures.tried++;
    const result = await attack(runtime, fault);
    figures.attacks.push(result.figures);
    if (result.failure === undefined) figures.survived++;
    else figures.failures.push(`${fault.name}: ${result.failure}`);
  }
}

async function attack(
  runtime: Runtime,
  fault: FaultCase,
): Promise<{ figures: AttackFigures; failure?: string }> {
  const started = await start(runtime, "server.ts", [...fault.serverArgs!]);
  const pid = started.script.child.pid!;
  const target = targetOf(fault.server, started.port);
  const alive = () => started.script.child.exitCode === null;
  const attack: AttackFigures = {
    name: fault.name,
    survived: false,
    peakBytes: 0,
    rssBefore: 0,
    fdsBefore: 0,
    figures: {},
  };
  let failure: string | undefined;
  try {
    // Warmed up one client at a time: under --max-conns 1 a second probe may
    // arrive before the server has seen the first leave, and be refused.
    await assertServes(target);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await servesWithin(target, 5_000);
    attack.fdsBefore = openFds(pid);
    attack.rssBefore = memoryOf(pid);
    await fault.run(target, { pid, figures: attack.figures });
    if (!alive()) throw new Error("the server exited");
    await servesWithin(target, 5_000);
    await fdsSettle(pid, attack.fdsBefore + FD_SLACK);
  } catch (error) {
    failure = alive() ? (error as Error).message : `the server exited: ${lastLine(started)}`;
    // The figure after a failure is taken once the server has had as long to recover.
    if (alive() && attack.fdsBefore > 0) {
      await fdsSettle(pid, attack.fdsBefore + FD_SLACK).catch(() => {});
    }
  } finally {
    if (alive()) {
      attack.fdsAfter = openFds(pid);
      attack.rssAfter = memoryOf(pid);
    }
    attack.peakBytes = await stop(started);
  }
  attack.survived = failure === undefined;
  return { figures: attack, failure };
}

function lastLine(started: Started): string {
  const lines = started.script.stderr.trim().split("\n");
  return lines.find((line) => /error/i.test(line)) ?? lines.at(-1) ?? "";
}

function targetOf(kind: CaseServer, port: number): Target {
  return {
    port,
    framing: kind === "echo-length" ? "length" : "line",
    mode: kind === "upper" ? "upper" : kind === "chat" ? "chat" : "echo",
  };
}

/** A second server on a taken port must exit 1 with one line; returns what went wrong, if anything. */
async function portInUse(runtime: Runtime, port: number): Promise<string | undefined> {
  const [command, argv] = COMMANDS[runtime]("server.ts", ["--port", `${port}`]);
  const second = new RunningScript(command, argv);
  const timer = setTimeout(() => second.child.kill("SIGKILL"), 15_000);
  const result = await second.exited;
  clearTimeout(timer);
  const lines = result.stderr.trim().split("\n");
  if (result.code !== 1 || lines.length !== 1 || !/address already in use/.test(lines[0]!)) {
    return `exit ${result.code}, stderr ${JSON.stringify(result.stderr)}`;
  }
  return undefined;
}

/** Replies to everything the server counted must arrive, in order, and the exit must be clean. */
async function sigintInTraffic(runtime: Runtime): Promise<string | undefined> {
  const started = await start(runtime, "server.ts", []);
  try {
    const sent = Array.from({ length: 5000 }, (_, i) => `msg ${i}`);
    const connection = await connect({ port: started.port });
    for (const line of sent) connection.send(line);
    await connection.flushed();
    await connection.end();
    process.kill(started.script.child.pid!, "SIGINT");
    const replies: string[] = [];
    for (;;) {
      const message = await connection.receive(15_000).catch(() => null);
      if (message === null) break;
      replies.push(message.text);
    }
    connection.close();
    await connection.closed;
    const result = await started.script.exited;
    const out = result.stderr.match(/^server stopped: .*, (\d+) messages? out,/m);
    if (result.code !== 0 || !out) return `exit ${result.code}: ${result.stderr.trim()}`;
    if (replies.some((reply, i) => reply !== sent[i])) return "replies out of order or wrong";
    if (replies.length !== Number(out[1])) {
      return `the server counted ${out[1]} replies out, the client got ${replies.length}`;
    }
    return undefined;
  } finally {
    await started.script.kill();
  }
}

async function soak(runtime: Runtime, figures: RuntimeFigures): Promise<void> {
  for (const framing of ["line", "length"] as const) {
    const started = await start(runtime, "server.ts", ["--framing", framing]);
    try {
      const part = await echoSoak({
        port: started.port,
        framing,
        clients: CLIENTS,
        messages: MESSAGES,
        maxSize: MAX_SIZE,
      });
      addFigures(figures.soak, part);
    } finally {
      figures.peakBytes = Math.max(figures.peakBytes, await stop(started));
    }
  }
  const chat = await start(runtime, "server.ts", ["--mode", "chat"]);
  try {
    addFigures(
      figures.soak,
      await chatSoak({ port: chat.port, clients: CHAT_CLIENTS, messages: CHAT_MESSAGES }),
    );
  } finally {
    figures.peakBytes = Math.max(figures.peakBytes, await stop(chat));
  }
}

async function round3(): Promise<number> {
  let failed = 0;
  out("");
  out("issue 21 attacks, each on a fresh server or client of its own");
  for (const runtime of ["deno", "bun"] as const) {
    for (const attack of ROUND3_ATTACKS) {
      err(`${runtime}: ${attack.name}...`);
      let result: Round3Figures;
      try {
        result = await attack(runtime);
      } catch (error) {
        failed++;
        out(`${runtime.padEnd(8)} ${attack.name}: FAILED: ${(error as Error).message}`);
        continue;
      }
      out(`${runtime.padEnd(8)} item ${result.item}: ${result.name}`);
      for (const [label, value] of result.figures) out(`${"".padEnd(10)}${label}: ${value}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  if (onlyRound3) return await round3();
  const results: [Runtime, RuntimeFigures][] = [];
  for (const runtime of ["deno", "bun"] as const) {
    err(`${runtime}: fault cases...`);
    const figures: RuntimeFigures = {
      tried: 0,
      survived: 0,
      failures: [],
      soak: { sent: 0, received: 0, lost: 0, wrong: 0, problems: [] },
      peakBytes: 0,
      attacks: [],
    };
    await faultCases(runtime, figures);
    await attacks(runtime, figures);
    err(
      `${runtime}: soak (${CLIENTS} x ${MESSAGES} per framing, chat ${CHAT_CLIENTS} x ${CHAT_MESSAGES})...`,
    );
    await soak(runtime, figures);
    results.push([runtime, figures]);
  }
  out("runtime  cases tried  survived  messages sent  lost  wrong  peak server RSS");
  // Chat messages count once per recipient: each must reach every other client.
  for (const [runtime, f] of results) {
    out(
      `${runtime.padEnd(8)} ${String(f.tried).padStart(11)} ${String(f.survived).padStart(9)} ${
        String(f.soak.sent).padStart(14)
      } ${String(f.soak.lost).padStart(5)} ${String(f.soak.wrong).padStart(6)} ${
        (f.peakBytes / MIB).toFixed(1).padStart(12)
      } MiB`,
    );
  }
  out(
    `messages sent: ${CLIENTS} clients x ${MESSAGES} echoes per framing, plus ${CHAT_CLIENTS} chat clients x ${CHAT_MESSAGES} lines x ${
      CHAT_CLIENTS - 1
    } recipients`,
  );
  printAttacks(results);
  for (const [runtime, f] of results) {
    for (const failure of f.failures) err(`${runtime}: did not survive ${failure}`);
    for (const problem of f.soak.problems) err(`${runtime}: soak: ${problem}`);
  }
  const clean = results.every(([, f]) =>
    f.survived === f.tried && f.soak.lost === 0 && f.soak.wrong === 0
  );
  const round3Clean = (await round3()) === 0;
  return clean && round3Clean ? 0 : 1;
}

// Zero or undefined: the server had exited before it could be read.
const mib = (bytes: number | undefined) => !bytes ? "-" : (bytes / MIB).toFixed(1);

/** What an attack measured, beyond memory and descriptors, in words. */
function measured(attack: AttackFigures): string {
  const { sent, delivered, recovery, members } = attack.figures;
  if (sent !== undefined) return `${delivered ?? 0} of ${sent} lines delivered`;
  if (recovery) {
    return recovery.ms === undefined
      ? `not served again within ${recovery.withinMs} ms`
      : `served again after ${recovery.ms} ms`;
  }
  if (members !== undefined && attack.figures.bytesPerMember !== undefined) {
    const per = attack.figures.bytesPerMember / 1024;
    return `${per.toFixed(1)} KiB per member at the peak (${members} members)`;
  }
  return "";
}

function printAttacks(results: [Runtime, RuntimeFigures][]): void {
  out("");
  out("issue 12 attacks, each on a fresh server.ts (RSS in MiB; peak over the server's life)");
  out(
    `runtime  ${
      "attack".padEnd(54)
    } result  peak RSS  RSS before -> after  fds before -> after  measured`,
  );
  for (const [runtime, f] of results) {
    for (const a of f.attacks) {
      out(
        `${runtime.padEnd(8)} ${a.name.padEnd(54)} ${(a.survived ? "ok" : "FAILED").padEnd(6)} ${
          mib(a.peakBytes).padStart(9)
        } ${mib(a.rssBefore).padStart(10)} -> ${mib(a.rssAfter).padEnd(6)} ${
          String(a.fdsBefore).padStart(10)
        } -> ${String(a.fdsAfter ?? "-").padEnd(6)} ${measured(a)}`,
      );
    }
  }
}

process.exitCode = await main();
