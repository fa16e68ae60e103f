import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cidrContains, isPeerAllowed, parseCidr, parseIp } from "../src/cidr.ts";

describe("parseIp", () => {
  test("parseIp reads IPv4 and IPv6 literals, compressed and with an IPv4 tail", () => {
    assert.deepEqual(parseIp("192.168.1.7"), new Uint8Array([192, 168, 1, 7]));
    assert.deepEqual(parseIp("::1"), new Uint8Array([...Array(15).fill(0), 1]));
    assert.deepEqual(
      parseIp("fe80::1:2"),
      new Uint8Array([0xfe, 0x80, ...Array(10).fill(0), 0, 1, 0, 2]),
    );
    assert.deepEqual(
      parseIp("::ffff:10.0.0.1"),
      new Uint8Array([...Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 1]),
    );
  });

  test("parseIp rejects what is not an address", () => {
    for (const bad of ["256.1.1.1", "1.2.3", "1:2:3", "::1::2", "abc", "", "1.2.3.4.5", "g::1"]) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });
});

describe("parseCidr", () => {
  test("parseCidr takes a bare address as a single-host range", () => {
    assert.equal(parseCidr("10.1.2.3").prefixLength, 32);
    assert.equal(parseCidr("::1").prefixLength, 128);
  });

  test("parseCidr throws a RangeError naming the text", () => {
    assert.throws(() => parseCidr("10.0.0.0/33"), /10\.0\.0\.0\/33/);
    assert.throws(() => parseCidr("nonsense/8"), RangeError);
    assert.throws(() => parseCidr("10.0.0.0/x"), RangeError);
  });
});

describe("cidrContains", () => {
  test("cidrContains matches by prefix, including prefixes not on a byte boundary", () => {
    const range = parseCidr("192.168.4.0/22");
    assert.equal(cidrContains(range, "192.168.7.255"), true);
    assert.equal(cidrContains(range, "192.168.8.0"), false);
    assert.equal(cidrContains(parseCidr("0.0.0.0/0"), "8.8.8.8"), true);
    assert.equal(cidrContains(parseCidr("fd00::/8"), "fd12::5"), true);
    assert.equal(cidrContains(parseCidr("fd00::/8"), "fe80::5"), false);
  });

  test("cidrContains sees an IPv4-mapped IPv6 peer as its IPv4 address", () => {
    assert.equal(cidrContains(parseCidr("127.0.0.0/8"), "::ffff:127.0.0.1"), true);
  });

  test("cidrContains never matches across address families", () => {
    assert.equal(cidrContains(parseCidr("0.0.0.0/0"), "::1"), false);
    assert.equal(cidrContains(parseCidr("::/0"), "127.0.0.1"), false);
  });
});

describe("isPeerAllowed", () => {
  const allow = [parseCidr("10.0.0.0/8")];
  const deny = [parseCidr("10.0.0.66")];

  test("isPeerAllowed lets everyone in when there are no lists", () => {
    assert.equal(isPeerAllowed("203.0.113.9", [], []), true);
  });

  test("isPeerAllowed admits only allowed peers, and deny wins over allow", () => {
    assert.equal(isPeerAllowed("10.2.3.4", allow, deny), true);
    assert.equal(isPeerAllowed("10.0.0.66", allow, deny), false);
    assert.equal(isPeerAllowed("192.168.0.1", allow, deny), false);
  });
});
