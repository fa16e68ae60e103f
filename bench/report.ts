// Turns benchmark figures into the table and the target checks printed at the end of a run.
// Comparisons are taken within each round (both servers ran minutes apart from
// the other rounds, under the same load), then summarised as median and range.
import process from "node:process";

type Figures = Record<string, number>;

/** One server's figures for one workload. */
export interface BenchResult {
  workload: string;
  server: string;
  kind: "socklab" | "raw" | "peer";
  runtime: string;
  figures: Figures;
  /** The headline figure of every round; `figures` are those of the median round. */
  rounds?: number[];
  /** Every round's figures in round order; null where that round failed. */
  roundFigures?: (Figures | null)[];
}

/** The figure that ranks servers in a workload, and its unit. */
export function headline(
  result: BenchResult,
): { value: number; unit: string; key: string; lowerIsBetter: boolean } {
  const f = result.figures;
  const pick = (key: string, unit: string, lowerIsBetter = false) => ({
    value: f[key] ?? 0,
    unit,
    key,
    lowerIsBetter,
  });
  if (f.kib_per_conn !== undefined) return pick("kib_per_conn", "KiB/conn", true);
  if (f.loss_pct !== undefined) return pick("loss_pct", "% loss", true);
  if (f.gbit_per_s !== undefined) return pick("gbit_per_s", "Gbit/s");
  if (f.mib_per_s !== undefined) return pick("mib_per_s", "MiB/s");
  if (f.deliveries_per_s !== undefined) return pick("deliveries_per_s", "deliveries/s");
  return pick("msgs_per_s", "msgs/s");
}

/** The middle value; the mean of the two middle ones for an even count; NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Per-round values summarised: their median, range and count. */
export interface RoundSpread {
  median: number;
  min: number;
  max: number;
  count: number;
  values: number[];
}

export function spread(values: readonly number[]): RoundSpread | undefined {
  if (values.length === 0) return undefined;
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    count: values.length,
    values: [...values],
  };
}

// Results from before per-round figures were kept count as one round.
function roundsOf(result: BenchResult): (Figures | null)[] {
  return result.roundFigures ?? [result.figures];
}

/** `key` of each round the result completed, in round order. */
export function valuesByRound(result: BenchResult, key: string): number[] {
  return roundsOf(result).flatMap((f) => (f && Number.isFinite(f[key]) ? [f[key]!] : []));
}

function pairByRound(mine: BenchResult, other: BenchResult, key: string): [number, number][] {
  const theirs = roundsOf(other);
  return roundsOf(mine).flatMap((f, round) => {
    const a = f?.[key];
    const b = theirs[round]?.[key];
    return a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b)
      ? [[a, b] as [number, number]]
      : [];
  });
}

/** mine / other for each round both completed (and other's figure is not zero). */
export function ratiosByRound(mine: BenchResult, other: BenchResult, key: string): number[] {
  return pairByRound(mine, other, key).flatMap(([a, b]) => (b === 0 ? [] : [a / b]));
}

/** mine - other for each round both completed, e.g. loss in percentage points. */
export function differencesByRound(mine: BenchResult, other: BenchResult, key: string): number[] {
  return pairByRound(mine, other, key).map(([a, b]) => a - b);
}

/** A goal from the performance issue. */
export type Goal =
  | { kind: "at least" | "at most"; value: number }
  | { kind: "within"; value: number; fraction: number };

/** A goal is judged by the median of the rounds, so one noisy round neither makes nor breaks it. */
export function goalMet(summary: RoundSpread, goal: Goal): boolean {
  const m = summary.median;
  if (goal.kind === "within") return Math.abs(m - goal.value) <= goal.value * goal.fraction;
  return goal.kind === "at least" ? m >= goal.value : m <= goal.value;
}

type TargetUnit = "ratio" | "pp" | "Mbit/s" | "KiB/conn";

/** A target from the performance issue, checked against one run's rounds. */
export interface TargetCheck {
  label: string;
  unit: TargetUnit;
  goal: Goal;
  spread: RoundSpread;
}

/** The socklab rate workloads' --rate, in Mbit/s. */
const UDP_RATE_MBIT = 1000;

function find(results: BenchResult[], workload: string, predicate: (r: BenchResult) => boolean) {
  return results.find((r) => r.workload === workload && predicate(r));
}

export function targetChecks(results: BenchResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const runtime of ["deno", "bun"]) {
    const socklab = (workload: string) =>
      find(results, workload, (r) => r.kind === "socklab" && r.runtime === runtime);
    const compare = (
      workload: string,
      key: string,
      against: (r: BenchResult) => boolean,
      by: typeof ratiosByRound,
    ) => {
      const mine = socklab(workload);
      const other = find(results, workload, against);
      return mine && other ? spread(by(mine, other, key)) : undefined;
    };
    const ratio = (workload: string, key: string, against: (r: BenchResult) => boolean) =>
      compare(workload, key, against, ratiosByRound);
    const raw = (r: BenchResult) => r.kind === "raw" && r.runtime === runtime;
    const python = (r: BenchResult) => r.runtime === "python";
    const iperf3 = (r: BenchResult) => r.runtime === "iperf3";
    const add = (label: string, summary: RoundSpread | undefined, goal: Goal, unit = "ratio") => {
      if (summary) {
        checks.push({
          label: `${runtime}: ${label}`,
          unit: unit as TargetUnit,
          goal,
          spread: summary,
        });
      }
    };
    const atLeast = (value: number): Goal => ({ kind: "at least", value });
    const atMost = (value: number): Goal => ({ kind: "at most", value });
    add("pingpong 50 conns vs raw", ratio("pingpong 50 conns", "msgs_per_s", raw), atLeast(0.95));
    add(
      "pingpong 50 conns vs raw callbacks",
      ratio(
        "pingpong 50 conns",
        "msgs_per_s",
        (r) => r.server === RAW_DENO_CALLBACKS && r.runtime === runtime,
      ),
      atLeast(0.95),
    );
    add(
      "pingpong 50 conns vs python",
      ratio("pingpong 50 conns", "msgs_per_s", python),
      atLeast(1.8),
    );
    add("pingpong 1 conn p50 latency vs raw", ratio("pingpong 1 conn", "p50_us", raw), atMost(1.1));
    add("stream 1 KiB lines vs raw", ratio("stream 1 KiB lines", "mib_per_s", raw), atLeast(0.8));
    add(
      "stream 64 KiB length vs raw",
      ratio("stream 64 KiB length", "mib_per_s", raw),
      atLeast(0.8),
    );
    for (const direction of ["up", "down"]) {
      const workload = `throughput ${direction} 1 stream`;
      const anchor = direction === "up" ? "iperf3" : "iperf3 -R";
      add(`${workload} vs ${anchor}`, ratio(workload, "gbit_per_s", iperf3), atLeast(0.8));
    }
    add("udp 50 clients vs raw", ratio("udp 50 clients", "msgs_per_s", raw), atLeast(0.95));
    add("udp 50 clients vs python", ratio("udp 50 clients", "msgs_per_s", python), atLeast(3));
    for (const direction of ["up", "down"]) {
      const workload = `udp 1G ${direction}`;
      const anchor = direction === "up" ? "iperf3" : "iperf3 -R";
      const loss = compare(workload, "loss_pct", iperf3, differencesByRound);
      add(`${workload} loss vs ${anchor}`, loss, atMost(1), "pp");
      const mine = socklab(workload);
      const sent = mine && spread(valuesByRound(mine, "sent_mbit_per_s"));
      add(
        `${workload} sent rate`,
        sent,
        { kind: "within", value: UDP_RATE_MBIT, fraction: 0.01 },
        "Mbit/s",
      );
    }
    const idle = results.find((r) =>
      r.workload.startsWith("idle") && r.kind === "socklab" && r.runtime === runtime
    );
    if (idle) {
      add(
        "idle memory KiB per connection",
        spread(valuesByRound(idle, "kib_per_conn")),
        atMost(16),
        "KiB/conn",
      );
    }
  }
  return checks;
}

const signed = (n: number, digits: number) => `${n >= 0 ? "+" : ""}${n.toFixed(digits)}`;

// "0.962 (0.91-1.01, 7 rounds)": the median, then the range it came from.
function formatSpread(s: RoundSpread, unit: TargetUnit): string {
  const rounds = `${s.count} round${s.count === 1 ? "" : "s"}`;
  const [mid, range] = unit === "pp"
    ? [`${signed(s.median, 2)} pp`, `${signed(s.min, 2)}..${signed(s.max, 2)}`]
    : unit === "Mbit/s"
    ? [`${s.median.toFixed(1)} Mbit/s`, `${s.min.toFixed(1)}-${s.max.toFixed(1)}`]
    : unit === "KiB/conn"
    ? [`${s.median.toFixed(2)} KiB/conn`, `${s.min.toFixed(2)}-${s.max.toFixed(2)}`]
    : [s.median.toFixed(3), `${s.min.toFixed(2)}-${s.max.toFixed(2)}`];
  return s.count === 1 ? `${mid} (${rounds})` : `${mid} (${range}, ${rounds})`;
}

function formatGoal(goal: Goal, unit: TargetUnit): string {
  if (goal.kind === "within") return `within ${goal.fraction * 100}% of ${goal.value}`;
  const sign = goal.kind === "at least" ? ">=" : "<=";
  return unit === "pp" ? `${sign} ${signed(goal.value, 0)} pp` : `${sign} ${goal.value}`;
}

/**
 * Deno's raw echo written in callbacks on its promises, which costs Deno less
 * CPU per message than the await loop of the raw echo the targets were set
 * against: the stricter anchor, reported beside it.
 */
export const RAW_DENO_CALLBACKS = "raw deno callbacks";

/** Names the second copy of a raw echo, run to show the machine's resolution. */
export const NOISE_SUFFIX = ", second copy";

/** How far one raw echo lands from its own second copy, round by round, per workload. */
export interface NoiseFloor {
  workload: string;
  server: string;
  spread: RoundSpread;
}

/** The resolution of every workload that ran a raw echo twice. */
export function noiseFloors(results: BenchResult[]): NoiseFloor[] {
  const floors: NoiseFloor[] = [];
  for (const copy of results.filter((r) => r.server.endsWith(NOISE_SUFFIX))) {
    const server = copy.server.slice(0, -NOISE_SUFFIX.length);
    const original = find(results, copy.workload, (r) => r.server === server);
    const summary = original && spread(ratiosByRound(original, copy, headline(original).key));
    if (summary) floors.push({ workload: copy.workload, server, spread: summary });
  }
  return floors;
}

/** One line per target: met or MISS, the median per-round figure, its range and the goal. */
export function formatTarget(check: TargetCheck): string {
  const met = goalMet(check.spread, check.goal) ? "met " : "MISS";
  return `${met} ${check.label}: ${formatSpread(check.spread, check.unit)} (goal ${
    formatGoal(check.goal, check.unit)
  })`;
}

/** A socklab server against its anchor in the same workload, round by round. */
export interface AnchorComparison {
  anchor: string;
  key: string;
  by: "ratio" | "difference";
  perRound: number[];
  spread: RoundSpread;
  /** e.g. "0.96x raw deno (0.91-1.01)" or "+0.40 pp vs iperf3 (-0.20..+1.10)". */
  text: string;
}

/**
 * The anchor is the same runtime's raw echo, else iperf3. Loss is compared as
 * a difference in percentage points: a ratio of two small losses says little.
 */
export function anchorComparison(
  results: BenchResult[],
  result: BenchResult,
): AnchorComparison | undefined {
  if (result.kind !== "socklab") return undefined;
  const { workload, runtime } = result;
  const anchor = find(results, workload, (r) => r.kind === "raw" && r.runtime === runtime)
    ?? find(results, workload, (r) => r.runtime === "iperf3");
  if (!anchor) return undefined;
  const { key, unit } = headline(result);
  const by = unit === "% loss" ? "difference" : "ratio";
  const perRound = by === "ratio"
    ? ratiosByRound(result, anchor, key)
    : differencesByRound(result, anchor, key);
  const s = spread(perRound);
  if (!s) return undefined;
  const name = anchor.kind === "raw" ? `raw ${runtime}` : anchor.server;
  const [mid, range] = by === "ratio"
    ? [`${s.median.toFixed(2)}x ${name}`, `${s.min.toFixed(2)}-${s.max.toFixed(2)}`]
    : [`${signed(s.median, 2)} pp vs ${name}`, `${signed(s.min, 2)}..${signed(s.max, 2)}`];
  const text = s.count > 1 ? `${mid} (${range})` : mid;
  return { anchor: anchor.server, key, by, perRound, spread: s, text };
}

interface UdpSide {
  bits_per_second?: number;
  lost_percent?: number | null;
  packets?: number;
  seconds?: number;
}

/** What `iperf3 -u -J` and `udp.ts bench --direction up|down --json` print that we use. */
export interface UdpRateReport {
  start?: { test_start?: { blksize?: number } };
  end?: { sum_sent?: UdpSide; sum_received?: UdpSide; socklab?: { direction?: string } };
  /** iperf3 -J reports a failed run here, exiting 0. */
  error?: string;
}

const mbit = (bitsPerSecond: number) => Number((bitsPerSecond / 1e6).toFixed(3));

/**
 * The sender's rate and the receiver's loss of one UDP run at a rate. A
 * socklab down run's sent packets are its chargen's streamed datagrams, or,
 * against another chargen, its small requests: either way packets × blksize
 * is the data sent or asked for, comparable with the rate iperf3 -R's server sent.
 */
export function udpRateFigures(report: UdpRateReport): Figures {
  if (report.error) throw new Error(report.error);
  const sent = report.end?.sum_sent;
  const received = report.end?.sum_received;
  const loss = received?.lost_percent;
  if (!sent?.bits_per_second || !received || loss === undefined || loss === null) {
    throw new Error("no receiver's loss in the report (did the server answer the report request?)");
  }
  const askedBytes = report.start?.test_start?.blksize;
  const sentBits = report.end?.socklab?.direction === "down" && askedBytes && sent.packets
      && sent.seconds
    ? (sent.packets * askedBytes * 8) / sent.seconds
    : sent.bits_per_second;
  return {
    loss_pct: Number(loss.toFixed(4)),
    sent_mbit_per_s: mbit(sentBits),
    received_mbit_per_s: mbit(received.bits_per_second ?? 0),
  };
}

/** Prints every workload's figures with per-round comparisons, then the targets met and missed. */
export function printTable(results: BenchResult[], machine: Record<string, unknown>): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`machine: ${machine.cpu}, ${machine.cores} cores; ${machine.deno}; bun ${machine.bun}`);
  for (const workload of [...new Set(results.map((r) => r.workload))]) {
    out(`\n${workload}`);
    for (const result of results.filter((r) => r.workload === workload)) {
      const { value, unit, key } = headline(result);
      const show = (n: number) => n.toFixed(unit === "% loss" ? 2 : n < 100 ? 1 : 0);
      const comparison = anchorComparison(results, result);
      const vsAnchor = comparison ? `  ${comparison.text}` : "";
      // In round order, "-" for a round that failed, so columns line up across servers.
      const perRound = result.roundFigures?.map((f) => f?.[key]) ?? result.rounds ?? [];
      const rounds = perRound.length > 1
        ? `  rounds ${perRound.map((n) => (n === undefined ? "-" : show(n))).join(" ")}`
        : "";
      const latency = result.figures.p50_us !== undefined
        ? `  p50 ${result.figures.p50_us} us  p99 ${result.figures.p99_us} us`
        : "";
      const lost = result.figures.lost ? `  lost ${result.figures.lost}` : "";
      const sent = result.figures.sent_mbit_per_s !== undefined
        ? `  sent ${result.figures.sent_mbit_per_s.toFixed(1)} Mbit/s`
        : "";
      out(
        `  ${result.server.padEnd(24)} ${
          show(value).padStart(10)
        } ${unit}${latency}${lost}${sent}${vsAnchor}${rounds}`,
      );
    }
  }
  out("\ntargets (median of per-round comparisons within this run, with their range):");
  for (const check of targetChecks(results)) out(`  ${formatTarget(check)}`);
  const floors = noiseFloors(results);
  if (floors.length > 0) {
    out("\nresolution (the same raw echo against its second copy, round by round):");
    for (const floor of floors) {
      out(`  ${floor.workload}: ${floor.server} ${formatSpread(floor.spread, "ratio")}`);
    }
  }
}
