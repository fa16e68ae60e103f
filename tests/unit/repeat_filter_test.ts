import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { OTHER_KINDS, RepeatFilter, type RepeatReport } from "../../src/cli/repeat_filter.ts";

/** A filter on a clock the test moves, with every report kept. */
function filterAt(options: { windowMs?: number; maxKinds?: number; maxSubjects?: number } = {}) {
  const clock = { now: 0 };
  const reports: RepeatReport[] = [];
  const filter = new RepeatFilter({
    windowMs: Infinity,
    ...options,
    now: () => clock.now,
    onRepeats: (report) => reports.push(report),
  });
  return { filter, clock, reports };
}

describe("RepeatFilter", () => {
  test("RepeatFilter shows the first of a kind, counts the repeats and reports them when settled", () => {
    const { filter, clock, reports } = filterAt();
    const shown = [];
    for (let i = 0; i < 50_000; i++) {
      clock.now = i;
      shown.push(filter.shouldShow("client 1", "INVALID_UTF8", `message ${i}`));
    }
    assert.equal(shown.filter(Boolean).length, 1);
    assert.equal(shown[0], true);
    assert.deepEqual(reports, []);
    filter.settle("client 1");
    assert.deepEqual(reports, [{
      subject: "client 1",
      kind: "INVALID_UTF8",
      count: 49_999,
      last: "message 49999",
      elapsedMs: 49_999,
    }]);
    assert.equal(filter.subjects, 0);
    // A subject seen again after it was settled starts afresh.
    assert.equal(filter.shouldShow("client 1", "INVALID_UTF8", "again"), true);
  });

  test("RepeatFilter tells kinds and subjects apart", () => {
    const { filter } = filterAt();
    assert.equal(filter.shouldShow("client 1", "A", "a"), true);
    assert.equal(filter.shouldShow("client 1", "B", "b"), true);
    assert.equal(filter.shouldShow("client 2", "A", "a"), true);
    assert.equal(filter.shouldShow("client 1", "A", "a"), false);
    assert.equal(filter.shouldShow("client 2", "B", "b"), true);
  });

  test("RepeatFilter settles nothing for a subject whose events were all shown", () => {
    const { filter, reports } = filterAt();
    filter.shouldShow("client 1", "A", "a");
    filter.settle("client 1");
    filter.settle("never seen");
    assert.deepEqual(reports, []);
  });

  test("RepeatFilter reports a flood once per window and shows a kind again after a quiet window", () => {
    const { filter, clock, reports } = filterAt({ windowMs: 1000 });
    assert.equal(filter.shouldShow("c", "A", "first"), true);
    for (let t = 1; t <= 2500; t++) {
      clock.now = t;
      assert.equal(filter.shouldShow("c", "A", `at ${t}`), false);
    }
    assert.deepEqual(
      reports.map((r) => [r.count, r.last, r.elapsedMs]),
      [[1000, "at 1000", 1000], [1000, "at 2000", 1000]],
    );
    filter.settle("c");
    assert.deepEqual(reports[2], {
      subject: "c",
      kind: "A",
      count: 500,
      last: "at 2500",
      elapsedMs: 500,
    });
    // Quiet for a whole window after its last report: news again.
    assert.equal(filter.shouldShow("d", "A", "x"), true);
    clock.now += 1000;
    assert.equal(filter.shouldShow("d", "A", "y"), true);
    filter.settleAll();
  });

  test("RepeatFilter reports the repeats of a subject gone quiet once its window has passed", async () => {
    const reports: RepeatReport[] = [];
    const filter = new RepeatFilter({ windowMs: 30, onRepeats: (report) => reports.push(report) });
    try {
      filter.shouldShow("client 1", "A", "one");
      filter.shouldShow("client 1", "A", "two");
      filter.shouldShow("client 1", "A", "three");
      const deadline = Date.now() + 2000;
      while (reports.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.deepEqual(reports.map((r) => [r.subject, r.count, r.last]), [[
        "client 1",
        2,
        "three",
      ]]);
    } finally {
      // Settling cancels the pending window timer, which the op sanitizer would flag.
      filter.settleAll();
    }
  });

  test("RepeatFilter counts a subject's kinds past maxKinds together", () => {
    const { filter, reports } = filterAt({ maxKinds: 2 });
    assert.equal(filter.shouldShow("c", "A", "a"), true);
    assert.equal(filter.shouldShow("c", "B", "b"), true);
    assert.equal(filter.shouldShow("c", "C", "c"), true);
    for (let i = 0; i < 100; i++) assert.equal(filter.shouldShow("c", `K${i}`, `k${i}`), false);
    filter.settle("c");
    assert.deepEqual(reports.map((r) => [r.kind, r.count, r.last]), [[OTHER_KINDS, 100, "k99"]]);
  });

  test("RepeatFilter tracks at most maxSubjects, settling the oldest to make room", () => {
    const { filter, reports } = filterAt({ maxSubjects: 100 });
    for (let i = 0; i < 10_000; i++) {
      filter.shouldShow(`peer ${i}`, "A", "a");
      filter.shouldShow(`peer ${i}`, "A", "a again");
      assert.ok(filter.subjects <= 100);
    }
    assert.equal(filter.subjects, 100);
    assert.equal(reports.length, 9_900);
    assert.deepEqual(reports[0], {
      subject: "peer 0",
      kind: "A",
      count: 1,
      last: "a again",
      elapsedMs: 0,
    });
  });

  test("RepeatFilter rejects bad bounds, naming the option and the value", () => {
    assert.throws(
      () => new RepeatFilter({ windowMs: 0 }),
      /'windowMs' must be positive: current value is 0/,
    );
    assert.throws(() => new RepeatFilter({ maxKinds: 0 }), /'maxKinds' must be a positive integer/);
    assert.throws(() => new RepeatFilter({ maxSubjects: 2.5 }), /'maxSubjects'.*2\.5/);
  });
});
