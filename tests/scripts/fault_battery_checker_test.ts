// Issue 21, item 4: a hostile server must not be able to fill the checker's
// memory. `client.ts --check` and `udp.ts check` run as their own processes
// (on the runtime running the tests) against servers that send endless junk
// lines, one 1 GiB line, or a flood of datagrams; the checker keeps a small
// window of evidence, stops reading once it has enough, and exits 1 with a
// short card.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { detectRuntime } from "../../src/net/runtime.ts";
import { checkerAgainst, type CheckerFigures, type FloodKind } from "../helpers/round3_checker.ts";

const MIB = 1024 * 1024;
// An honest check peaks at 45 to 60 MiB on either runtime; the issue saw 230 MiB to 2 GiB.
const PEAK_CEILING_BYTES = 100 * MIB;
// The battery's own limit is 25 s; a flood must not stretch it.
const SECONDS_CEILING = 20;
// A report card is a few KiB; the UDP --json carried thousands of datagrams.
const STDOUT_CEILING_CHARS = 16 * 1024;
const PATIENT = { timeout: 90_000 };

function describeRun(run: CheckerFigures): string {
  return `${run.kind}: peak ${(run.peakBytes / MIB).toFixed(1)} MiB, ${
    run.seconds.toFixed(1)
  } s, exit ${run.code}, ${run.receivedEntries} received entries, stdout ${run.stdout.length} chars\n${
    run.stdout.slice(0, 2000)
  }\nstderr: ${run.stderr.slice(0, 500)}`;
}

function assertBounded(run: CheckerFigures): void {
  const about = describeRun(run);
  assert.equal(run.code, 1, about);
  assert.equal(run.stderr, "", about);
  assert.ok(run.peakBytes > 0, `no memory reading: ${about}`);
  assert.ok(run.peakBytes < PEAK_CEILING_BYTES, about);
  assert.ok(run.seconds < SECONDS_CEILING, about);
  assert.ok(run.stdout.length < STDOUT_CEILING_CHARS, about);
  // The card still says how much came, in a count rather than in kept bytes.
  assert.ok(run.largestReceivedOnCard > 0, about);
}

describe("the checker against hostile servers (issue 21, item 4)", () => {
  const runtime = detectRuntime();

  for (
    const [kind, what] of [
      ["endless-lines", "endless junk lines"],
      ["huge-line", "one 1 GiB line without a newline"],
    ] as [FloodKind, string][]
  ) {
    test(`client.ts --check stays small and quick against ${what}`, PATIENT, async () => {
      const run = await checkerAgainst(runtime, kind);
      assertBounded(run);
      assert.match(run.stdout, /^FAIL +reply /m, describeRun(run));
    });
  }

  test("udp.ts check stays small and quick against a flood of datagrams", PATIENT, async () => {
    const run = await checkerAgainst(runtime, "udp-flood");
    assertBounded(run);
    // One entry per datagram kept: a few, not the thousands that arrived.
    assert.ok(run.receivedEntries > 0 && run.receivedEntries <= 40, describeRun(run));
  });
});
