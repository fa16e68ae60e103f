import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PeerTable } from "../../src/cli/udp/peer_table.ts";

const peer = (hostname: string, port: number) => ({ hostname, port });

describe("PeerTable", () => {
  test("an empty table formats as no lines", () => {
    const table = new PeerTable();
    assert.deepEqual(table.format(), []);
    assert.equal(table.totalDatagrams, 0);
  });

  test("counts per host and port, in the order peers first appeared", () => {
    const table = new PeerTable();
    assert.equal(table.record(peer("10.0.0.2", 5000), 10, 1000), true);
    assert.equal(table.record(peer("10.0.0.1", 5000), 20, 2000), true);
    // Same host, another port: another peer.
    assert.equal(table.record(peer("10.0.0.2", 5001), 30, 3000), true);
    assert.equal(table.record(peer("10.0.0.2", 5000), 5, 4000), false);
    assert.deepEqual(
      table.rows.map((row) => [row.from.hostname, row.from.port, row.datagrams, row.bytes]),
      [["10.0.0.2", 5000, 2, 15], ["10.0.0.1", 5000, 1, 20], ["10.0.0.2", 5001, 1, 30]],
    );
    assert.equal(table.rows[0]!.firstSeen, 1000);
    assert.equal(table.rows[0]!.lastSeen, 4000);
    assert.equal(table.totalDatagrams, 4);
    assert.equal(table.totalBytes, 65);
  });

  test("past maxPeers new peers are counted in the totals only, known ones still tracked", () => {
    const table = new PeerTable(2);
    table.record(peer("10.0.0.1", 1), 1);
    table.record(peer("10.0.0.2", 1), 1);
    assert.equal(table.record(peer("10.0.0.3", 1), 100), false);
    assert.equal(table.record(peer("10.0.0.3", 1), 100), false);
    table.record(peer("10.0.0.1", 1), 1);
    assert.equal(table.rows.length, 2);
    assert.equal(table.rows[0]!.datagrams, 2);
    assert.equal(table.untracked, 2);
    assert.equal(table.totalDatagrams, 5);
    assert.equal(table.totalBytes, 203);
    const lines = table.format();
    assert.equal(lines.length, 4);
    assert.equal(lines.at(-1), "(2 datagrams from further peers not listed)");
  });

  test("format aligns the columns and right-aligns the counts", () => {
    const table = new PeerTable();
    table.record(peer("10.0.0.1", 9), 12345);
    table.record(peer("::1", 40000), 7);
    const [header, first, second] = table.format();
    assert.match(header!, /^peer\s+datagrams\s+bytes\s+first seen\s+last seen$/);
    // The bytes column ends at the same place on every line.
    const end = header!.indexOf("bytes") + "bytes".length;
    assert.equal(first!.slice(end - 5, end), "12345");
    assert.equal(second!.slice(end - 5, end), "    7");
    assert.ok(second!.startsWith("[::1]:40000"), String(second));
  });
});
