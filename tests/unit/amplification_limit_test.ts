// The anti-amplification rule udp.ts server applies to every reply, in process.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AmplificationLimit } from "../../src/udp/amplification_limit.ts";

test("AmplificationLimit lets an address receive three times its bytes on the wire, headers included", () => {
  const limit = new AmplificationLimit();
  // 10 bytes + 28 of IPv4 and UDP headers earn 114 wire bytes: one reply of 86 bytes of payload.
  limit.received("192.0.2.7", 10);
  assert.equal(limit.creditOf("192.0.2.7"), 86);
  assert.equal(limit.spend("192.0.2.7", 87), false, "one byte over is not sent");
  assert.equal(limit.spend("192.0.2.7", 86), true);
  assert.equal(limit.spend("192.0.2.7", 0), false, "even an empty datagram costs its headers");
  assert.equal(limit.creditOf("192.0.2.7"), 0);
});

test("AmplificationLimit counts IPv6's 48 bytes of headers and keeps addresses apart", () => {
  const limit = new AmplificationLimit();
  limit.received("2001:db8::1", 0);
  // 48 received, 144 may go back: 96 of them payload.
  assert.equal(limit.creditOf("2001:db8::1"), 96);
  assert.equal(limit.creditOf("2001:db8::2"), 0, "another address earned nothing");
  assert.equal(limit.spend("2001:db8::2", 0), false);
});

test("AmplificationLimit forgets the oldest address past its bound, which then earns afresh", () => {
  const limit = new AmplificationLimit(2);
  limit.received("192.0.2.1", 100);
  limit.received("192.0.2.2", 100);
  limit.received("192.0.2.3", 100);
  assert.equal(limit.creditOf("192.0.2.1"), 0, "forgotten");
  assert.equal(limit.creditOf("192.0.2.3"), 3 * 128 - 28);
  limit.received("192.0.2.1", 0);
  assert.equal(limit.creditOf("192.0.2.1"), 56);
});
