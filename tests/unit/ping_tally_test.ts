import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PingTally } from "../../src/measure/ping_tally.ts";

const EPOCH = 1_700_000_000_000;

describe("PingTally", () => {
  test("nothing sent: no counts and no summary", () => {
    const tally = new PingTally();
    assert.equal(tally.sent, 0);
    assert.equal(tally.received, 0);
    assert.equal(tally.summary(), undefined);
  });

  test("a reply counts once with its round trip; a repeat is a duplicate, left out of the times", () => {
    const tally = new PingTally();
    tally.recordSent(1, 100, EPOCH);
    assert.deepEqual(tally.recordReply(1, EPOCH, 103, 1000), {
      seq: 1,
      rttMs: 3,
      duplicate: false,
      reordered: false,
      late: false,
    });
    const again = tally.recordReply(1, EPOCH, 150, 1000);
    assert.equal(again?.duplicate, true);
    assert.equal(tally.duplicates, 1);
    assert.equal(tally.received, 1);
    assert.deepEqual(tally.summary(), { min: 3, avg: 3, max: 3, mdev: 0 });
    assert.ok(tally.isAnswered(1));
  });

  test("a reply overtaken by a later probe's is reordered; one past the timeout is late", () => {
    const tally = new PingTally();
    tally.recordSent(1, 0, EPOCH);
    tally.recordSent(2, 10, EPOCH + 10);
    assert.equal(tally.recordReply(2, EPOCH + 10, 20, 1000)?.reordered, false);
    const first = tally.recordReply(1, EPOCH, 1500, 1000);
    assert.equal(first?.reordered, true);
    assert.equal(first?.late, true);
    assert.equal(tally.reordered, 1);
    assert.equal(tally.received, 2);
    assert.deepEqual(tally.summary(), { min: 10, avg: 755, max: 1500, mdev: 745 });
  });

  test("a reply to no probe, or with another run's stamp, is unrecognised and changes nothing", () => {
    const tally = new PingTally();
    tally.recordSent(1, 0, EPOCH);
    assert.equal(tally.recordReply(7, EPOCH, 5, 1000), undefined);
    assert.equal(tally.recordReply(1, EPOCH - 1, 5, 1000), undefined);
    assert.equal(tally.unrecognised, 2);
    assert.equal(tally.received, 0);
    assert.equal(tally.isAnswered(1), false);
  });
});
