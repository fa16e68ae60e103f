import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatLossLine, formatRttSummary } from "../../src/cli/rtt_stats.ts";
import { summariseRtts } from "../../src/measure/rtt_stats.ts";

describe("rtt statistics", () => {
  test("no samples give no summary", () => {
    assert.equal(summariseRtts([]), undefined);
  });

  test("one sample is its own min, avg and max, with no deviation", () => {
    assert.deepEqual(summariseRtts([0.25]), { min: 0.25, avg: 0.25, max: 0.25, mdev: 0 });
  });

  test("min, avg, max and ping's mean deviation over samples in any order", () => {
    const summary = summariseRtts([3, 1, 2, 6]);
    assert.equal(summary?.min, 1);
    assert.equal(summary?.max, 6);
    assert.equal(summary?.avg, 3);
    // sqrt(mean(x^2) - mean(x)^2) = sqrt(50/4 - 9)
    assert.ok(Math.abs(summary!.mdev - Math.sqrt(3.5)) < 1e-12, String(summary?.mdev));
  });

  test("equal samples never give a negative variance (NaN) through rounding", () => {
    const summary = summariseRtts(Array.from({ length: 1000 }, () => 0.1 + 0.2));
    assert.equal(summary?.mdev, 0);
  });

  test("formats like ping, three decimals", () => {
    assert.equal(
      formatRttSummary({ min: 0.0411, avg: 0.05, max: 1, mdev: 0.0114 }),
      "rtt min/avg/max/mdev = 0.041/0.050/1.000/0.011 ms",
    );
  });

  test("loss line: none sent, all lost, partial, and more replies than probes", () => {
    assert.equal(formatLossLine(0, 0), "0 sent, 0 received, 0% loss");
    assert.equal(formatLossLine(4, 0), "4 sent, 0 received, 100% loss");
    assert.equal(formatLossLine(3, 2), "3 sent, 2 received, 33.3% loss");
    // Duplicates can make received exceed sent; loss never goes negative.
    assert.equal(formatLossLine(2, 3), "2 sent, 3 received, 0% loss");
  });
});
