// Issue 21, items 2 and 7: a classmate must not wipe or forge another
// student's `udp.ts bench --direction up` report. Item 2 against the real
// `udp.ts server --mode discard`, item 7 against a fake discard server of the
// test's own; the attacks are the soak's (tests/helpers/round3_udp_bench.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  BenchDatagrams,
  buildMissingReport,
  buildReport,
  buildReportRequest,
  readReportAnswer,
} from "../../src/measure/mod.ts";
import { BenchReceiver } from "../../src/measure/udp_bench_receiver.ts";
import { reportDoubt } from "../../src/measure/udp_report_check.ts";
import {
  benchUnderForgery,
  classFigures,
  classUnderForgery,
  here,
  impossibleReport,
  runBenchOn,
  startDiscardOn,
  startFakeDiscard,
} from "../helpers/round3_udp_bench.ts";

// bun test gives a test 5 s by default; these wait on real subprocesses on a loaded machine.
const PATIENT = { timeout: 90_000 };
/** The bench's error lines, as text or as --json's JSON lines on stderr. */
function errorLines(stderr: string): string[] {
  return stderr.split("\n").flatMap((line) => {
    if (line.startsWith("udp.ts:")) return [line];
    if (!line.startsWith("{")) return [];
    const event = JSON.parse(line);
    return event.event === "error" ? [event.message] : [];
  });
}

const NOT_CREDIBLE =
  /^udp\.ts: the receiver's report from 127\.0\.0\.1:\d+ is not credible \(.+\); only this side's figures are shown$/;
// On loopback at these rates nothing should be lost; this much slack keeps a loaded machine from failing the test.
const TRUE_SHARE = 0.95;

describe("item 2: one peer cannot wipe another student's UDP bench report", () => {
  test(
    "a peer forging 40 run ids every 100 ms leaves the victim's count true",
    PATIENT,
    async () => {
      const { server, port } = await startDiscardOn(here);
      try {
        const victim = await benchUnderForgery(here, port, 2);
        assert.ok(victim.forged >= 40, `the forger sent only ${victim.forged}`);
        assert.ok(victim.received !== undefined, `no report: ${victim.stderr}`);
        assert.ok(
          victim.received >= victim.sent * TRUE_SHARE,
          `victim's report: ${victim.received} of ${victim.sent} received, ${victim.forged} forged`,
        );
        assert.equal(victim.code, 0, victim.stderr);
      } finally {
        await server.kill();
      }
    },
  );

  test(
    "a class of 40 benching at once, one of them forging, each get their own count",
    PATIENT,
    async () => {
      const { server, port } = await startDiscardOn(here);
      try {
        const { students, forged } = await classUnderForgery(port);
        const { exact, worstShare } = classFigures(students);
        assert.ok(
          worstShare >= TRUE_SHARE,
          `worst student got ${
            (worstShare * 100).toFixed(1)
          }% of its count (${exact} of ${students.length} exact, ${forged} forged): ${
            JSON.stringify(students)
          }`,
        );
      } finally {
        await server.kill();
      }
    },
  );

  test(
    "a run the server holds no count of is said so in one line, exit 1, not 100% loss",
    PATIENT,
    async () => {
      // Every data datagram is over --max-datagram, so only the report request is taken.
      const { server, port } = await startDiscardOn(here, ["--max-datagram", "100"]);
      try {
        const result = await runBenchOn(here, [
          "--direction",
          "up",
          "--size",
          "200",
          "--rate",
          "1M",
          "--time",
          "0.3",
          "--port",
          `${port}`,
        ]);
        assert.equal(result.code, 1, result.stderr);
        assert.doesNotMatch(result.stdout, /receiver$/m);
        const errors = errorLines(result.stderr);
        assert.equal(errors.length, 1, result.stderr);
        assert.match(errors[0]!, /has no count of this run/);
      } finally {
        await server.kill();
      }
    },
  );

  test("runs from 5,000 other addresses neither push out a run under way nor grow the table", () => {
    const receiver = new BenchReceiver();
    const datagrams = new BenchDatagrams(20);
    const victim = { hostname: "10.0.0.1", port: 5000 };
    const at = (seconds: number) => 1_000_000 + seconds * 1000;
    const send = (from: typeof victim, runId: number, seq: number, seconds: number) =>
      receiver.take(datagrams.build({ runId, seq, sentAtMs: 0 }), from, at(seconds));
    const ask = (from: typeof victim, runId: number, seconds: number) =>
      readReportAnswer(receiver.take(buildReportRequest(runId), from, at(seconds))!.answer, runId);
    for (let seq = 0; seq < 10; seq++) send(victim, 7, seq, seq * 0.1);
    // Peers enough on other addresses to fill any table, each a new run, each more recent.
    for (let i = 0; i < 5000; i++) {
      send({ hostname: `10.1.${i >> 8}.${i & 255}`, port: 6000 }, i, 0, 1 + i / 10_000);
    }
    const kept = ask(victim, 7, 2);
    assert.equal(kept?.kind === "report" && kept.counts.packets, 10, JSON.stringify(kept));
    assert.ok(receiver.runs <= 1024, `${receiver.runs} runs held`);
    // A newcomer turned away is told so, not sent zeros; its later datagrams open nothing.
    const newcomer = { hostname: "10.2.0.1", port: 7000 };
    send(newcomer, 9, 0, 2);
    assert.deepEqual(ask(newcomer, 9, 2.1), { kind: "missing", reason: "crowded" });
    // Once runs have been idle long enough, the least recently active gives its place...
    send(newcomer, 10, 0, 20);
    assert.deepEqual(ask(newcomer, 10, 20.1)?.kind, "report");
    // ... but never to a run that would be counted from its middle.
    send(newcomer, 9, 5000, 20.2);
    assert.deepEqual(ask(newcomer, 9, 20.3), { kind: "missing", reason: "crowded" });
  });

  test("one address forging run ids loses only its own runs", () => {
    const receiver = new BenchReceiver();
    const datagrams = new BenchDatagrams(20);
    const students = Array.from(
      { length: 40 },
      (_, i) => ({ hostname: "10.0.0.1", port: 5000 + i }),
    );
    const forger = { hostname: "10.0.0.1", port: 4000 };
    for (let seq = 0; seq < 20; seq++) {
      students.forEach((student, i) =>
        receiver.take(datagrams.build({ runId: i, seq, sentAtMs: seq }), student, seq)
      );
      for (let forged = 0; forged < 100; forged++) {
        receiver.take(
          datagrams.build({ runId: 1000 + seq * 100 + forged, seq: 0, sentAtMs: 0 }),
          forger,
          seq,
        );
      }
    }
    students.forEach((student, i) => {
      const answer = readReportAnswer(receiver.take(buildReportRequest(i), student, 21)!.answer, i);
      assert.equal(answer?.kind === "report" && answer.counts.packets, 20, `student ${i}`);
    });
    assert.ok(receiver.runs <= 40 + 4, `${receiver.runs} runs held`);
  });
});

describe("item 7: a forged UDP bench report is not printed as measured", () => {
  test(
    "received > sent, negative bytes, NaN jitter and a negative span are rejected in one line",
    PATIENT,
    async () => {
      const fake = await startFakeDiscard((runId, counts) =>
        buildReport(runId, impossibleReport(counts))
      );
      try {
        const args = [
          "--direction",
          "up",
          "--rate",
          "1M",
          "--time",
          "0.3",
          "--port",
          `${fake.port}`,
        ];
        const text = await runBenchOn(here, args);
        assert.equal(text.code, 1, text.stderr);
        assert.doesNotMatch(text.stdout, /receiver$|NaN| -\d/m);
        assert.match(text.stdout, /\d+ datagrams sent\s+sender$/m);
        const errors = errorLines(text.stderr);
        assert.equal(errors.length, 1, text.stderr);
        assert.match(errors[0]!, NOT_CREDIBLE);

        const json = await runBenchOn(here, [...args, "--json"]);
        assert.equal(json.code, 1, json.stderr);
        const end = JSON.parse(json.stdout).end;
        assert.equal(end.sum_received, undefined, JSON.stringify(end.sum_received));
        assert.equal(end.sum.lost_percent, null);
        assert.equal(end.socklab.receiver_report, false);
        assert.equal(end.socklab.receiver_report_problem?.kind, "not_credible");
        const jsonErrors = errorLines(json.stderr);
        assert.equal(jsonErrors.length, 1, json.stderr);
        assert.match(jsonErrors[0]!, NOT_CREDIBLE);
      } finally {
        await fake.close();
      }
    },
  );

  test(
    "a server with no count of the run, crowded out, is said so in one line, exit 1",
    PATIENT,
    async () => {
      const fake = await startFakeDiscard((runId) => buildMissingReport(runId, "crowded"));
      try {
        const result = await runBenchOn(here, [
          "--direction",
          "up",
          "--rate",
          "1M",
          "--time",
          "0.3",
          "--port",
          `${fake.port}`,
          "--json",
        ]);
        assert.equal(result.code, 1, result.stderr);
        const end = JSON.parse(result.stdout).end;
        assert.equal(end.sum_received, undefined);
        assert.deepEqual(end.socklab.receiver_report_problem, {
          kind: "missing",
          reason: "crowded",
        });
        const errors = errorLines(result.stderr);
        assert.equal(errors.length, 1, result.stderr);
        assert.match(errors[0]!, /has no count of this run.*turned this one away/);
        assert.doesNotMatch(result.stderr, /no report from/);
      } finally {
        await fake.close();
      }
    },
  );

  test("each impossible figure on its own makes a report not credible", () => {
    const sent = { packets: 100, bytes: 147_000 };
    const honest = {
      packets: 90,
      bytes: 132_300,
      duplicates: 3,
      outOfOrder: 2,
      jitterMs: 0.4,
      spanMs: 990,
    };
    assert.equal(reportDoubt(honest, sent, 1000), undefined);
    // Duplicates are counted apart: more of them than were sent is odd, not impossible.
    assert.equal(
      reportDoubt({ ...honest, packets: 100, bytes: 147_000, duplicates: 500 }, sent, 1000),
      undefined,
    );
    const forged: [Partial<typeof honest>, RegExp][] = [
      [{ packets: 101 }, /101 datagrams received of 100 sent/],
      [{ bytes: 147_001 }, /147001 bytes received of 147000 sent/],
      [{ bytes: -1 }, /-1 bytes received/],
      [{ jitterMs: NaN }, /NaN ms of jitter/],
      [{ duplicates: Infinity }, /Infinity duplicates/],
      [{ packets: 1.5 }, /1\.5 datagrams received/],
      [{ outOfOrder: 91 }, /91 datagrams out of order of 90/],
      [{ spanMs: -20_000 }, /-20000 ms between/],
      [{ spanMs: 3_600_000 }, /3600000 ms between the first and last arrival, in a run of 1000 ms/],
      [{ jitterMs: 5000 }, /5000 ms of jitter, in a run of 1000 ms/],
    ];
    for (const [change, why] of forged) {
      assert.match(reportDoubt({ ...honest, ...change }, sent, 1000) ?? "credible", why);
    }
  });

  test("an honest report from the same fake server is printed", PATIENT, async () => {
    const fake = await startFakeDiscard((runId, counts) => buildReport(runId, counts));
    try {
      const result = await runBenchOn(here, [
        "--direction",
        "up",
        "--rate",
        "1M",
        "--time",
        "0.3",
        "--port",
        `${fake.port}`,
        "--json",
      ]);
      assert.equal(result.code, 0, result.stderr);
      const end = JSON.parse(result.stdout).end;
      assert.ok(end.sum_received.packets > 0);
      assert.ok(end.sum_received.packets <= end.sum_sent.packets);
      assert.doesNotMatch(result.stderr, /not credible/);
    } finally {
      await fake.close();
    }
  });
});
