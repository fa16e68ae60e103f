import assert from "node:assert/strict";
import { test } from "node:test";
import { hexDump } from "../../src/cli/narration/hex_dump.ts";

test("hexDump shows 16 bytes a line with offsets, hex and printable ASCII", () => {
  const bytes = new Uint8Array(20).map((_, i) => 0x41 + i);
  bytes[3] = 0x0a;
  const lines = hexDump(bytes, 0x100, "<< ").split("\n");
  assert.equal(lines.length, 2);
  assert.equal(
    lines[0],
    "<< 00000100  41 42 43 0a 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABC.EFGHIJKLMNOP|",
  );
  assert.ok(lines[1]!.startsWith("<< 00000110  51 52 53 54 "), lines[1]!);
  assert.ok(lines[1]!.endsWith("|QRST|"), lines[1]!);
  // Columns line up whether or not the row is full.
  assert.equal(lines[0]!.indexOf("|"), lines[1]!.indexOf("|"));
});

test("hexDump shows a length prefix byte by byte", () => {
  const dump = hexDump(new Uint8Array([0, 0, 0, 2, 0x68, 0x69]), 0, "");
  assert.match(dump, /^00000000 {2}00 00 00 02 68 69 /);
  assert.match(dump, /\|\.\.\.\.hi\|$/);
});

test("hexDump of nothing is empty", () => {
  assert.equal(hexDump(new Uint8Array(0), 0, "> "), "");
});
