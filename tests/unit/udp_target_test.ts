import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sameAddress } from "../../src/address/same_address.ts";
import { zoneHint } from "../../src/errors/zone_hint.ts";

describe("sameAddress", () => {
  const at = (hostname: string, port = 9000) => ({ hostname, port });

  test("sameAddress matches a link-local reply whichever side lacks the %zone", () => {
    // Deno reports the sender of a link-local datagram without its zone, Bun with it.
    assert.ok(sameAddress(at("fe80::2"), at("fe80::2%eth0")));
    assert.ok(sameAddress(at("fe80::2%eth0"), at("fe80::2")));
    assert.ok(sameAddress(at("FE80:0::2%eth0"), at("fe80::2%eth0")));
  });

  test("sameAddress compares zones of one kind (names or indexes), and the address and port", () => {
    assert.ok(!sameAddress(at("fe80::2%eth0"), at("fe80::2%wlan0")));
    assert.ok(!sameAddress(at("fe80::2%2"), at("fe80::2%3")));
    assert.ok(sameAddress(at("fe80::2%eth0"), at("fe80::2%2")));
    assert.ok(!sameAddress(at("fe80::2%eth0"), at("fe80::3%eth0")));
    assert.ok(!sameAddress(at("fe80::2"), at("fe80::2", 9001)));
    assert.ok(sameAddress(at("::ffff:10.0.0.2"), at("10.0.0.2")));
  });
});

describe("zoneHint", () => {
  const entry = (address: string) => ({ address });

  test("zoneHint lists the interfaces that have a link-local address, loopback left out", () => {
    const hint = zoneHint("fe80::1", () => ({
      lo: [entry("127.0.0.1"), entry("::1")],
      eth0: [entry("10.0.0.5"), entry("fe80::a")],
      docker0: [entry("172.17.0.1")],
      wlan0: [entry("fe80::b")],
    }));
    assert.equal(hint, "e.g. fe80::1%eth0; interfaces here: eth0, wlan0");
  });

  test("zoneHint says so when the interfaces may not be listed", () => {
    const hint = zoneHint("fe80::1", () => {
      throw new Error("NotCapable");
    });
    assert.match(hint, /may not list the interfaces: ip addr .*ipconfig/);
  });
});
