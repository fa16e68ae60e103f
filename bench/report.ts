// Turns benchmark figures into the table and the target checks printed at the end of a run.
import process from "node:process";

/** One server's figures for one workload. */
export interface BenchResult {
  workload: string;
  server: string;
  kind: "socklab" | "raw" | "peer";
  runtime: string;
  figures: Record<string, number>;
  /** The headline figure of every round; `figures` are those of the median round. */
  rounds?: number[];
}

/** The figure that ranks servers in a workload, and its unit. */
export function headline(result: BenchResult): { value: number; unit: string } {
  const f = result.figures;
  if (f.kib_per_conn !== undefined) return { value: f.kib_per_conn, unit: "KiB/conn" };
  if (f.gbit_per_s !== undefined) return { value: f.gbit_per_s, unit: "Gbit/s" };
  if (f.mib_per_s !== undefined) return { value: f.mib_per_s, unit: "MiB/s" };
  if (f.deliveries_per_s !== undefined) return { value: f.deliveries_per_s, unit: "deliveries/s" };
  return { value: f.msgs_per_s ?? 0, unit: "msgs/s" };
}

function find(results: BenchResult[], workload: string, predicate: (r: BenchResult) => boolean) {
  return results.find((r) => r.workload === workload && predicate(r));
}

/** A target from the performance issue, checked against one run's figures. */
interface TargetCheck {
  label: string;
  actual: number;
  goal: number;
  atLeast: boolean;
}

function targetChecks(results: BenchResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const runtime of ["deno", "bun"]) {
    const ratio = (workload: string, key: string, against: (r: BenchResult) => boolean) => {
      const mine = find(results, workload, (r) => r.kind === "socklab" && r.runtime === runtime);
      const other = find(results, workload, against);
      if (!mine || !other || !other.figures[key]) return undefined;
      return mine.figures[key]! / other.figures[key]!;
    };
    const raw = (r: BenchResult) => r.kind === "raw" && r.runtime === runtime;
    const python = (r: BenchResult) => r.runtime === "python";
    const iperf3 = (r: BenchResult) => r.runtime === "iperf3";
    const add = (label: string, actual: number | undefined, goal: number, atLeast = true) => {
      if (actual !== undefined) {
        checks.push({ label: `${runtime}: ${label}`, actual, goal, atLeast });
      }
    };
    add("pingpong 50 conns vs raw", ratio("pingpong 50 conns", "msgs_per_s", raw), 0.95);
    add("pingpong 50 conns vs python", ratio("pingpong 50 conns", "msgs_per_s", python), 1.8);
    add("pingpong 1 conn p50 latency vs raw", ratio("pingpong 1 conn", "p50_us", raw), 1.1, false);
    add("stream 1 KiB lines vs raw", ratio("stream 1 KiB lines", "mib_per_s", raw), 0.8);
    add("stream 64 KiB length vs raw", ratio("stream 64 KiB length", "mib_per_s", raw), 0.8);
    add(
      "throughput up 1 stream vs iperf3",
      ratio("throughput up 1 stream", "gbit_per_s", iperf3),
      0.8,
    );
    add(
      "throughput down 1 stream vs iperf3 -R",
      ratio("throughput down 1 stream", "gbit_per_s", iperf3),
      0.8,
    );
    add("udp 50 clients vs raw", ratio("udp 50 clients", "msgs_per_s", raw), 0.95);
    add("udp 50 clients vs python", ratio("udp 50 clients", "msgs_per_s", python), 3);
    const idle = results.find((r) =>
      r.workload.startsWith("idle") && r.kind === "socklab" && r.runtime === runtime
    );
    if (idle) add("idle memory KiB per connection", idle.figures.kib_per_conn, 16, false);
  }
  return checks;
}

/** Prints every workload's figures with ratios, then the targets met and missed. */
export function printTable(results: BenchResult[], machine: Record<string, unknown>): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`machine: ${machine.cpu}, ${machine.cores} cores; ${machine.deno}; bun ${machine.bun}`);
  for (const workload of [...new Set(results.map((r) => r.workload))]) {
    out(`\n${workload}`);
    for (const result of results.filter((r) => r.workload === workload)) {
      const { value, unit } = headline(result);
      const raw = find(results, workload, (r) => r.kind === "raw" && r.runtime === result.runtime);
      const iperf3 = find(results, workload, (r) => r.runtime === "iperf3");
      const vsRaw = result.kind !== "socklab"
        ? ""
        : raw
        ? `  ${(value / headline(raw).value).toFixed(2)}x raw ${result.runtime}`
        : iperf3
        ? `  ${(value / headline(iperf3).value).toFixed(2)}x ${iperf3.server}`
        : "";
      const rounds = result.rounds && result.rounds.length > 1
        ? `  rounds ${result.rounds.map((n) => n.toFixed(n < 100 ? 1 : 0)).join(" ")}`
        : "";
      const latency = result.figures.p50_us !== undefined
        ? `  p50 ${result.figures.p50_us} us  p99 ${result.figures.p99_us} us`
        : "";
      const loss = result.figures.lost ? `  lost ${result.figures.lost}` : "";
      out(
        `  ${result.server.padEnd(24)} ${
          value.toFixed(value < 100 ? 1 : 0).padStart(10)
        } ${unit}${latency}${loss}${vsRaw}${rounds}`,
      );
    }
  }
  out("\ntargets (ratios within this run):");
  for (const check of targetChecks(results)) {
    const met = check.atLeast ? check.actual >= check.goal : check.actual <= check.goal;
    out(
      `  ${met ? "met " : "MISS"} ${check.label}: ${check.actual.toFixed(3)} (goal ${
        check.atLeast ? ">=" : "<="
      } ${check.goal})`,
    );
  }
}
