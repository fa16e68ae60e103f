import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  anchorComparison,
  type BenchResult,
  differencesByRound,
  formatTarget,
  goalMet,
  headline,
  median,
  NOISE_SUFFIX,
  noiseFloors,
  ratiosByRound,
  RAW_DENO_CALLBACKS,
  spread,
  targetChecks,
  udpRateFigures,
} from "../../bench/report.ts";

function result(
  server: string,
  kind: BenchResult["kind"],
  runtime: string,
  roundFigures: (Record<string, number> | null)[],
  workload = "pingpong 50 conns",
): BenchResult {
  const figures = roundFigures.find((f) => f !== null) ?? {};
  return { workload, server, kind, runtime, figures, roundFigures };
}

const perRound = (key: string, values: (number | null)[]) =>
  values.map((v) => (v === null ? null : { [key]: v }));

describe("bench report: median and range of rounds", () => {
  test("median of an odd count is the middle value, whatever the order", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([0.91, 1.01, 0.96, 0.97, 0.93, 0.99, 0.95]), 0.96);
  });

  test("median of an even count is the mean of the two middle values", () => {
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([1, 2]), 1.5);
  });

  test("no values give no median and no spread", () => {
    assert.ok(Number.isNaN(median([])));
    assert.equal(spread([]), undefined);
  });

  test("spread gives the median, the range and the count", () => {
    assert.deepEqual(spread([0.95, 0.91, 1.01]), {
      median: 0.95,
      min: 0.91,
      max: 1.01,
      count: 3,
      values: [0.95, 0.91, 1.01],
    });
  });
});

describe("bench report: pairing by round", () => {
  test("a ratio is taken within each round, not across medians", () => {
    // Each server's own median is 100 and 100, yet socklab is half of raw in every round.
    const mine = result(
      "socklab deno line",
      "socklab",
      "deno",
      perRound("msgs_per_s", [50, 100, 150]),
    );
    const raw = result("raw deno", "raw", "deno", perRound("msgs_per_s", [100, 200, 300]));
    assert.deepEqual(ratiosByRound(mine, raw, "msgs_per_s"), [0.5, 0.5, 0.5]);
  });

  test("a round missing on either side is skipped, the others stay paired", () => {
    const mine = result(
      "socklab deno line",
      "socklab",
      "deno",
      perRound("msgs_per_s", [90, null, 80, 70]),
    );
    const raw = result("raw deno", "raw", "deno", perRound("msgs_per_s", [100, 100, null, 100]));
    assert.deepEqual(ratiosByRound(mine, raw, "msgs_per_s"), [0.9, 0.7]);
  });

  test("a round whose anchor figure is zero gives no ratio", () => {
    const mine = result("a", "socklab", "deno", perRound("msgs_per_s", [10, 10]));
    const raw = result("b", "raw", "deno", perRound("msgs_per_s", [0, 20]));
    assert.deepEqual(ratiosByRound(mine, raw, "msgs_per_s"), [0.5]);
  });

  test("differences pair by round too, for loss in percentage points", () => {
    const mine = result(
      "socklab deno discard",
      "socklab",
      "deno",
      perRound("loss_pct", [1.5, 0.4, null]),
    );
    const iperf3 = result("iperf3", "peer", "iperf3", perRound("loss_pct", [0.5, 0.6, 0.2]));
    const diffs = differencesByRound(mine, iperf3, "loss_pct");
    assert.equal(diffs.length, 2);
    assert.ok(Math.abs(diffs[0]! - 1) < 1e-9 && Math.abs(diffs[1]! + 0.2) < 1e-9, String(diffs));
  });

  test("any figure can be paired, not only the headline", () => {
    const mine = result("a", "socklab", "deno", [{ msgs_per_s: 1, p50_us: 30 }]);
    const raw = result("b", "raw", "deno", [{ msgs_per_s: 2, p50_us: 20 }]);
    assert.deepEqual(ratiosByRound(mine, raw, "p50_us"), [1.5]);
  });
});

describe("bench report: goals judged by the median", () => {
  const atLeast = { kind: "at least", value: 0.95 } as const;
  test("an at-least goal is met by the median even when some rounds miss", () => {
    assert.equal(goalMet(spread([0.9, 0.96, 0.97])!, atLeast), true);
    assert.equal(goalMet(spread([0.94, 0.99, 0.93])!, atLeast), false);
  });

  test("an at-most goal (latency, KiB per connection, loss) is met at or below it", () => {
    const atMost = { kind: "at most", value: 1.1 } as const;
    assert.equal(goalMet(spread([1.05, 1.2, 1.08])!, atMost), true);
    assert.equal(goalMet(spread([1.15, 1.0, 1.2])!, atMost), false);
    assert.equal(goalMet(spread([16])!, { kind: "at most", value: 16 }), true);
    assert.equal(goalMet(spread([16.1])!, { kind: "at most", value: 16 }), false);
  });

  test("a within goal is met on either side of its value", () => {
    const within = { kind: "within", value: 1000, fraction: 0.01 } as const;
    assert.equal(goalMet(spread([995])!, within), true);
    assert.equal(goalMet(spread([1009])!, within), true);
    assert.equal(goalMet(spread([989])!, within), false);
    assert.equal(goalMet(spread([1011])!, within), false);
  });
});

describe("bench report: target lines", () => {
  const rounds = [0.91, 0.95, 0.962, 0.97, 0.99, 1.01, 0.93];
  const results = [
    result("socklab deno line", "socklab", "deno", perRound("msgs_per_s", rounds)),
    result("raw deno", "raw", "deno", perRound("msgs_per_s", rounds.map(() => 1))),
  ];

  test("the pingpong ratio prints its median, its range and its rounds", () => {
    const check = targetChecks(results).find((c) => c.label === "deno: pingpong 50 conns vs raw");
    assert.ok(check, "no pingpong target");
    assert.equal(
      formatTarget(check),
      "met  deno: pingpong 50 conns vs raw: 0.962 (0.91-1.01, 7 rounds) (goal >= 0.95)",
    );
  });

  test("Deno's callback raw echo is a second anchor of its own, for Deno only", () => {
    const both = [
      ...results,
      result(RAW_DENO_CALLBACKS, "peer", "deno", perRound("msgs_per_s", rounds.map(() => 1.25))),
      result("socklab bun line", "socklab", "bun", perRound("msgs_per_s", [1, 1, 1])),
      result("raw bun", "raw", "bun", perRound("msgs_per_s", [1, 1, 1])),
    ];
    const labels = targetChecks(both).map((c) => c.label);
    assert.ok(labels.includes("deno: pingpong 50 conns vs raw"), String(labels));
    assert.ok(!labels.includes("bun: pingpong 50 conns vs raw callbacks"), String(labels));
    const check = targetChecks(both).find((c) =>
      c.label === "deno: pingpong 50 conns vs raw callbacks"
    );
    assert.ok(check, String(labels));
    assert.match(formatTarget(check), /^MISS deno: pingpong 50 conns vs raw callbacks: 0\.770 /);
  });

  test("a missed median prints MISS", () => {
    const low = [
      result("socklab bun line", "socklab", "bun", perRound("msgs_per_s", [90, 99, 93])),
      result("raw bun", "raw", "bun", perRound("msgs_per_s", [100, 100, 100])),
    ];
    const check = targetChecks(low).find((c) => c.label === "bun: pingpong 50 conns vs raw");
    assert.match(
      formatTarget(check!),
      /^MISS bun: pingpong 50 conns vs raw: 0\.930 \(0\.90-0\.99, 3 rounds\)/,
    );
  });

  test("latency is an at-most ratio per round", () => {
    const latency = [
      result(
        "socklab deno line",
        "socklab",
        "deno",
        perRound("p50_us", [30, 24]),
        "pingpong 1 conn",
      ),
      result("raw deno", "raw", "deno", perRound("p50_us", [20, 20]), "pingpong 1 conn"),
    ];
    const check = targetChecks(latency).find((c) => c.label.includes("p50 latency"))!;
    assert.equal(check.spread.median, 1.35);
    assert.equal(formatTarget(check).startsWith("MISS"), true);
    assert.match(formatTarget(check), /\(goal <= 1\.1\)$/);
  });

  test("idle memory per connection is an at-most goal", () => {
    const idle = [
      result("socklab bun line", "socklab", "bun", [{ kib_per_conn: 12.5 }], "idle 2000 conns"),
    ];
    const check = targetChecks(idle).find((c) =>
      c.label === "bun: idle memory KiB per connection"
    )!;
    assert.equal(
      formatTarget(check),
      "met  bun: idle memory KiB per connection: 12.50 KiB/conn (1 round) (goal <= 16)",
    );
  });

  test("UDP at 1 Gbit/s: loss against iperf3 in percentage points, and the sent rate", () => {
    const up = [
      result("socklab deno discard", "socklab", "deno", [
        { loss_pct: 1.0, sent_mbit_per_s: 999.2 },
        { loss_pct: 0.6, sent_mbit_per_s: 998 },
        { loss_pct: 2.1, sent_mbit_per_s: 1000.1 },
      ], "udp 1G up"),
      result("iperf3", "peer", "iperf3", perRound("loss_pct", [0.6, 0.8, 1.0]), "udp 1G up"),
    ];
    const checks = targetChecks(up);
    const loss = checks.find((c) => c.label === "deno: udp 1G up loss vs iperf3")!;
    assert.equal(
      formatTarget(loss),
      "met  deno: udp 1G up loss vs iperf3: +0.40 pp (-0.20..+1.10, 3 rounds) (goal <= +1 pp)",
    );
    const rate = checks.find((c) => c.label === "deno: udp 1G up sent rate")!;
    assert.equal(
      formatTarget(rate),
      "met  deno: udp 1G up sent rate: 999.2 Mbit/s (998.0-1000.1, 3 rounds) (goal within 1% of 1000)",
    );
  });

  test("loss more than 1 pp over iperf3's misses", () => {
    const down = [
      result("socklab bun chargen", "socklab", "bun", perRound("loss_pct", [3, 4]), "udp 1G down"),
      result("iperf3 -R", "peer", "iperf3", perRound("loss_pct", [0.5, 0.5]), "udp 1G down"),
    ];
    const loss = targetChecks(down).find((c) => c.label === "bun: udp 1G down loss vs iperf3 -R")!;
    assert.match(formatTarget(loss), /^MISS .*: \+3\.00 pp \(\+2\.50\.\.\+3\.50, 2 rounds\)/);
  });
});

describe("bench report: the per-workload comparison", () => {
  test("socklab against its runtime's raw echo is the median ratio per round", () => {
    const results = [
      result(
        "socklab deno udp",
        "socklab",
        "deno",
        perRound("msgs_per_s", [80, 95, 90]),
        "udp 50 clients",
      ),
      result(
        "socklab bun udp",
        "socklab",
        "bun",
        perRound("msgs_per_s", [1, 1, 1]),
        "udp 50 clients",
      ),
      result(
        "raw deno udp",
        "raw",
        "deno",
        perRound("msgs_per_s", [100, 100, 100]),
        "udp 50 clients",
      ),
    ];
    const comparison = anchorComparison(results, results[0]!);
    assert.equal(comparison?.anchor, "raw deno udp");
    assert.deepEqual(comparison?.perRound, [0.8, 0.95, 0.9]);
    assert.equal(comparison?.text, "0.90x raw deno (0.80-0.95)");
    assert.equal(anchorComparison(results, results[1]!), undefined);
  });

  test("loss is compared with iperf3 as a difference, not a ratio", () => {
    const results = [
      result(
        "socklab bun discard",
        "socklab",
        "bun",
        perRound("loss_pct", [0.5, 0.9]),
        "udp 1G up",
      ),
      result("iperf3", "peer", "iperf3", perRound("loss_pct", [0.25, 0.25]), "udp 1G up"),
    ];
    assert.equal(anchorComparison(results, results[0]!)?.text, "+0.45 pp vs iperf3 (+0.25..+0.65)");
  });

  test("loss is the headline of the UDP rate workloads, and lower is better", () => {
    const r = result(
      "x",
      "socklab",
      "deno",
      [{ loss_pct: 0.7, sent_mbit_per_s: 999 }],
      "udp 1G up",
    );
    assert.deepEqual(headline(r), {
      value: 0.7,
      unit: "% loss",
      key: "loss_pct",
      lowerIsBetter: true,
    });
  });
});

describe("bench report: figures of a UDP run at a rate", () => {
  const side = (bits: number, lost: number | null, packets: number, seconds = 4) => ({
    bits_per_second: bits,
    lost_percent: lost,
    packets,
    seconds,
  });

  test("iperf3 and socklab up: the sender's rate and the receiver's loss", () => {
    const report = {
      end: { sum_sent: side(999_446_784, null, 1), sum_received: side(930_875_136, 6.861, 1) },
    };
    assert.deepEqual(udpRateFigures(report), {
      loss_pct: 6.861,
      sent_mbit_per_s: 999.447,
      received_mbit_per_s: 930.875,
    });
  });

  test("socklab down counts requests as sent: the rate is what they asked for", () => {
    // 122,070 requests in 1 s, each asking for one 512-byte chargen answer: 499.999 Mbit/s.
    const report = {
      start: { test_start: { blksize: 512, reverse: 1 } },
      end: {
        sum_sent: side(148_409_000, null, 122_070, 1),
        sum_received: side(400_000_000, 20, 97_656, 1),
        socklab: { direction: "down" },
      },
    };
    assert.equal(udpRateFigures(report).sent_mbit_per_s, 499.999);
  });

  test("iperf3's own error (it exits 0) is the run's error", () => {
    const report = { end: {}, error: "unable to connect to server: Connection refused" };
    assert.throws(() => udpRateFigures(report), /unable to connect to server/);
  });

  test("a run without the receiver's loss is an error, not a zero", () => {
    assert.throws(
      () => udpRateFigures({ end: { sum_sent: side(1e9, null, 1) } }),
      /no receiver's loss/,
    );
  });
});

describe("noiseFloors", () => {
  test("a raw echo against its second copy, round by round", () => {
    const raw: BenchResult = {
      workload: "pingpong 50 conns",
      server: "raw deno",
      kind: "raw",
      runtime: "deno",
      figures: { msgs_per_s: 100 },
      roundFigures: [{ msgs_per_s: 100 }, { msgs_per_s: 90 }, { msgs_per_s: 120 }],
    };
    const copy: BenchResult = {
      ...raw,
      server: `raw deno${NOISE_SUFFIX}`,
      kind: "peer",
      roundFigures: [{ msgs_per_s: 80 }, { msgs_per_s: 90 }, { msgs_per_s: 100 }],
    };
    const [floor, ...others] = noiseFloors([raw, copy]);
    assert.equal(others.length, 0);
    assert.equal(floor!.server, "raw deno");
    assert.equal(floor!.spread.count, 3);
    assert.equal(floor!.spread.median, 1.2);
    assert.equal(floor!.spread.min, 1);
    assert.equal(floor!.spread.max, 1.25);
  });

  test("no second copy, no resolution line", () => {
    const raw: BenchResult = {
      workload: "udp 50 clients",
      server: "raw bun udp",
      kind: "raw",
      runtime: "bun",
      figures: { msgs_per_s: 1 },
    };
    assert.deepEqual(noiseFloors([raw]), []);
  });
});
