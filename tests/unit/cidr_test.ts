import fc from "fast-check";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cidrContains, isPeerAllowed, parseCidr, parseIp } from "../../src/address/cidr.ts";

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

  test("parseIp reads random IPv6 addresses written in full, compressed or with a dotted tail", () => {
    const group = fc.oneof(fc.constant(0), fc.nat(0xffff));
    fc.assert(
      fc.property(
        fc.array(group, { minLength: 8, maxLength: 8 }),
        fc.boolean(),
        (groups, upper) => {
          const bytes = new Uint8Array(groups.flatMap((g) => [g >> 8, g & 0xff]));
          const hex = groups.map((g) => upper ? g.toString(16).toUpperCase() : g.toString(16));
          const texts = [hex.join(":"), hex.map((h) => h.padStart(4, "0")).join(":")];
          // The longest run of zero groups (at least one) becomes "::".
          let best = { at: -1, length: 0 };
          for (let at = 0; at < 8; at++) {
            let length = 0;
            while (at + length < 8 && groups[at + length] === 0) length++;
            if (length > best.length) best = { at, length };
          }
          if (best.length > 0) {
            const head = hex.slice(0, best.at).join(":");
            const tail = hex.slice(best.at + best.length).join(":");
            texts.push(`${head}::${tail}`);
          }
          texts.push(`${hex.slice(0, 6).join(":")}:${[...bytes.subarray(12)].join(".")}`);
          for (const text of texts) assert.deepEqual(parseIp(text), bytes, text);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("parseIp rejects what is not an address", () => {
    const bad = [
      ...["256.1.1.1", "1.2.3", "1:2:3", "::1::2", "abc", "", "1.2.3.4.5", "g::1"],
      ...[":", ":::", "1:::2", ":1::2", "1::2:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8"],
      ...["12345::1", "::1.2.3", "::1.2.3.4:5", "1:2:3:4:5:6:7:1.2.3.4", "1.2.3.4%eth0"],
      ...["1234.1.1.1", " 1.2.3.4", "1.2.3.4 ", "::ffff:1a.2.3.4", "1.2.3.-4"],
    ];
    for (const text of bad) {
      assert.equal(parseIp(text), undefined, text);
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

  test("parseCidr refuses a malformed prefix: a second '/', empty, signed, spaced or not decimal", () => {
    const bad = [
      "1.2.3.4/8/9",
      "1.2.3.4/",
      "1.2.3.4/+8",
      "1.2.3.4/-8",
      "1.2.3.4/ 8",
      "1.2.3.4 /8",
      "1.2.3.4/8 /9",
      "1.2.3.4/0x8",
      "1.2.3.4/8e0",
      "1.2.3.4/8.0",
      "1.2.3.4/0008",
      "::1/129",
      "::ffff:0:0/200",
      "/8",
      "1.2.3.4//8",
    ];
    for (const text of bad) {
      assert.throws(
        () => parseCidr(text),
        (error: unknown) => error instanceof RangeError && error.message.includes(`'${text}'`),
        text,
      );
    }
  });

  test("parseCidr keeps the rule as written and its IPv6-space form for comparison", () => {
    const v4 = parseCidr("10.0.0.0/8");
    assert.deepEqual(v4.network, new Uint8Array([10, 0, 0, 0]));
    assert.equal(v4.prefixLength, 8);
    assert.deepEqual(
      v4.ipv6Network,
      new Uint8Array([...Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 0]),
    );
    assert.equal(v4.ipv6PrefixLength, 104);
    const mapped = parseCidr("::ffff:10.0.0.0/104");
    assert.equal(mapped.prefixLength, 104);
    assert.deepEqual(mapped.ipv6Network, v4.ipv6Network);
    assert.equal(parseCidr(" 10.0.0.0/8 ").prefixLength, 8);
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

  test("cidrContains keeps an IPv4 range to IPv4 peers, mapped or not", () => {
    assert.equal(cidrContains(parseCidr("0.0.0.0/0"), "::1"), false);
    assert.equal(cidrContains(parseCidr("0.0.0.0/0"), "::fffe:7f00:1"), false);
    // ::/96 is the old IPv4-compatible block, not the IPv4-mapped one.
    assert.equal(cidrContains(parseCidr("::/96"), "127.0.0.1"), false);
  });

  test("cidrContains matches an IPv4-mapped rule to the IPv4 peer, whichever way it arrives", () => {
    const rules = [
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::FFFF:127.0.0.1/128",
      "0:0:0:0:0:ffff:127.0.0.1",
      "::ffff:127.0.0.0/104",
      "::ffff:0:0/96",
    ];
    for (const rule of rules) {
      const range = parseCidr(rule);
      for (const peer of ["127.0.0.1", "::ffff:127.0.0.1", "::ffff:7f00:1"]) {
        assert.equal(cidrContains(range, peer), true, `${rule} should contain ${peer}`);
      }
      assert.equal(cidrContains(range, "::1"), false, `${rule} should not contain ::1`);
      assert.equal(cidrContains(range, "::7f00:1"), false, `${rule} vs ::7f00:1`);
    }
    assert.equal(cidrContains(parseCidr("::ffff:127.0.0.1"), "127.0.0.2"), false);
    assert.equal(cidrContains(parseCidr("::ffff:127.0.0.0/104"), "128.0.0.1"), false);
    assert.equal(cidrContains(parseCidr("::ffff:0:0/96"), "10.1.2.3"), true);
  });

  test("cidrContains reads mapped rules shorter than /96 bit by bit in the IPv6 space", () => {
    for (const peer of ["127.0.0.1", "::ffff:8.8.8.8", "::1", "fe80::1", "2001:db8::5"]) {
      assert.equal(cidrContains(parseCidr("::/0"), peer), true, `::/0 should contain ${peer}`);
    }
    // /95 is the mapped block plus ::fffe:0:0/96 next to it, and nothing else.
    const wide = parseCidr("::ffff:0:0/95");
    assert.equal(cidrContains(wide, "192.0.2.1"), true);
    assert.equal(cidrContains(wide, "::fffe:c000:201"), true);
    assert.equal(cidrContains(wide, "::fffd:c000:201"), false);
    assert.equal(cidrContains(wide, "::1"), false);
  });

  test("cidrContains matches nothing for a peer that is not an IP literal", () => {
    assert.equal(cidrContains(parseCidr("::/0"), "localhost"), false);
    assert.equal(cidrContains(parseCidr("::/0"), ""), false);
  });

  test("cidrContains agrees for random IPv4 rules and peers written as IPv4 or mapped", () => {
    const quad = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join(".");
    const hexPair = (n: number) => `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.nat(32), (rule, peer, prefix) => {
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        const expected = ((rule & mask) >>> 0) === ((peer & mask) >>> 0);
        const ranges = [
          parseCidr(`${quad(rule)}/${prefix}`),
          parseCidr(`::ffff:${quad(rule)}/${prefix + 96}`),
          parseCidr(`::ffff:${hexPair(rule)}/${prefix + 96}`),
        ];
        for (const range of ranges) {
          for (const text of [quad(peer), `::ffff:${quad(peer)}`, `::ffff:${hexPair(peer)}`]) {
            assert.equal(cidrContains(range, text), expected, `${range.text} vs ${text}`);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("isPeerAllowed", () => {
  const allow = [parseCidr("10.0.0.0/8")];
  const deny = [parseCidr("10.0.0.66")];

  test("isPeerAllowed lets everyone in when there are no lists", () => {
    assert.equal(isPeerAllowed("203.0.113.9", [], []), true);
  });

  test("isPeerAllowed applies IPv4-mapped rules to IPv4 peers, mapped or not", () => {
    const mappedHost = [parseCidr("::ffff:127.0.0.1")];
    assert.equal(isPeerAllowed("127.0.0.1", [], mappedHost), false);
    assert.equal(isPeerAllowed("::ffff:127.0.0.1", [], mappedHost), false);
    assert.equal(isPeerAllowed("127.0.0.2", [], mappedHost), true);
    const mappedNet = [parseCidr("::ffff:127.0.0.0/104")];
    assert.equal(isPeerAllowed("127.0.0.1", mappedNet, []), true);
    assert.equal(isPeerAllowed("::ffff:127.0.0.1", mappedNet, []), true);
    assert.equal(isPeerAllowed("::1", mappedNet, []), false);
    assert.equal(isPeerAllowed("::ffff:127.0.0.1", [parseCidr("127.0.0.0/8")], []), true);
  });

  test("isPeerAllowed admits a peer that is not an IP literal only when there is no allow list", () => {
    assert.equal(isPeerAllowed("localhost", [], deny), true);
    assert.equal(isPeerAllowed("localhost", allow, []), false);
  });

  test("isPeerAllowed admits only allowed peers, and deny wins over allow", () => {
    assert.equal(isPeerAllowed("10.2.3.4", allow, deny), true);
    assert.equal(isPeerAllowed("10.0.0.66", allow, deny), false);
    assert.equal(isPeerAllowed("192.168.0.1", allow, deny), false);
  });
});
