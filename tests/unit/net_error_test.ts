import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NetError, type NetErrorCode, toNetError } from "../../mod.ts";
import { NO_ANSWER_AFTER_MS, toConnectError } from "../../src/net/connect_error.ts";

describe("toNetError", () => {
  const bunShapes: [string, NetErrorCode][] = [
    ["ECONNREFUSED", "CONNECTION_REFUSED"],
    ["ECONNRESET", "CONNECTION_RESET"],
    ["EADDRINUSE", "ADDRESS_IN_USE"],
    ["EADDRNOTAVAIL", "ADDRESS_NOT_AVAILABLE"],
    ["ENOTFOUND", "HOST_NOT_FOUND"],
    ["EAI_NONAME", "HOST_NOT_FOUND"],
    ["ETIMEDOUT", "TIMED_OUT"],
    ["EMSGSIZE", "MESSAGE_TOO_LARGE"],
    ["EACCES", "PERMISSION_DENIED"],
    ["ENETUNREACH", "NETWORK_UNREACHABLE"],
    ["EHOSTUNREACH", "HOST_UNREACHABLE"],
    ["EPIPE", "BROKEN_PIPE"],
  ];
  for (const [errno, code] of bunShapes) {
    test(`toNetError maps { code: "${errno}" } to ${code}`, () => {
      const cause = Object.assign(new Error("boom"), { code: errno });
      const error = toNetError(cause);
      assert.ok(error instanceof NetError);
      assert.equal(error.code, code);
      assert.equal(error.cause, cause);
      assert.equal(error.name, "NetError");
    });
  }

  test("toNetError maps plain objects with an errno code", () => {
    assert.equal(toNetError({ code: "ECONNREFUSED" }).code, "CONNECTION_REFUSED");
  });

  const denoShapes: [string, NetErrorCode][] = [
    ["ConnectionRefused", "CONNECTION_REFUSED"],
    ["ConnectionReset", "CONNECTION_RESET"],
    ["AddrInUse", "ADDRESS_IN_USE"],
    ["AddrNotAvailable", "ADDRESS_NOT_AVAILABLE"],
    ["TimedOut", "TIMED_OUT"],
    ["BrokenPipe", "BROKEN_PIPE"],
    ["NotCapable", "SANDBOX_DENIED"],
    ["BadResource", "CLOSED"],
    ["Interrupted", "CLOSED"],
  ];
  for (const [name, code] of denoShapes) {
    test(`toNetError maps Deno's ${name} error class to ${code}`, () => {
      const cause = new Error("os error");
      cause.name = name;
      assert.equal(toNetError(cause).code, code);
      assert.equal(toNetError({ name }).code, code);
    });
  }

  test("toNetError maps Deno's resolver errors, which carry no code, to HOST_NOT_FOUND", () => {
    const messages = [
      "failed to lookup address information: Name or service not known",
      "failed to lookup address information: nodename nor servname provided, or not known",
    ];
    for (const message of messages) {
      assert.equal(toNetError(new Error(message)).code, "HOST_NOT_FOUND");
    }
  });

  test("toNetError keeps the operation and the address as context", () => {
    const address = { hostname: "127.0.0.1", port: 9 };
    const error = toNetError({ code: "ECONNREFUSED" }, { operation: "connect", address });
    assert.equal(error.operation, "connect");
    assert.deepEqual(error.address, address);
    assert.equal(error.message, "connection refused");
  });

  test("toNetError returns a NetError unchanged", () => {
    const original = new NetError("TIMED_OUT", "slow");
    assert.equal(toNetError(original, { operation: "send" }), original);
  });

  test("toNetError says a link-local address that Linux refused (EINVAL) needs %INTERFACE", () => {
    const address = { hostname: "fe80::1", port: 9000 };
    const error = toNetError({ code: "EINVAL" }, { operation: "listen", address });
    assert.equal(error.code, "INTERFACE_REQUIRED");
    assert.equal(error.message, "fe80::1 is a link-local address: add %INTERFACE");
    const zoned = { hostname: "fe80::1%eth0", port: 9000 };
    assert.equal(toNetError({ code: "EINVAL" }, { address: zoned }).code, "UNKNOWN");
  });

  test("toNetError maps anything unknown to UNKNOWN", () => {
    for (const odd of [undefined, null, 42, "ECONNREFUSED", {}, new Error("weird"), { code: 5 }]) {
      assert.equal(toNetError(odd).code, "UNKNOWN");
    }
  });
});

describe("toConnectError", () => {
  const to = { hostname: "10.0.0.9", port: 9000 };
  // The shapes both runtimes throw, measured on Linux 6.18 (deno 2.9.6, bun 1.4.5).
  const denoError = (name: string, code: string) =>
    Object.assign(new Error("os error"), { name, code });
  const slow = NO_ANSWER_AFTER_MS + 1000;

  test("toConnectError names an EHOSTUNREACH that took seconds as no host answering ARP", () => {
    const error = toConnectError(denoError("Error", "EHOSTUNREACH"), to, slow);
    assert.equal(error.code, "HOST_UNREACHABLE");
    assert.equal(error.message, "no host answered ARP at 10.0.0.9");
    assert.equal(error.operation, "connect");
    assert.deepEqual(error.address, to);
    const v6 = toConnectError({ code: "EHOSTUNREACH" }, { hostname: "fd00::9", port: 1 }, slow);
    assert.equal(v6.message, "no host answered neighbour discovery at fd00::9");
  });

  test("toConnectError names an immediate EHOSTUNREACH, EACCES or EINVAL as rejected", () => {
    const cases: [unknown, RegExp][] = [
      [denoError("Error", "EHOSTUNREACH"), /at once: a firewall or router rejected it \(ICMP\)/],
      [denoError("PermissionDenied", "EACCES"), /prohibited: a firewall or a prohibit route/],
      [{ code: "EACCES", errno: -13 }, /prohibited/],
      [denoError("TypeError", "EINVAL"), /blackhole route/],
    ];
    for (const [cause, message] of cases) {
      const error = toConnectError(cause, to, 3);
      assert.equal(error.code, "REJECTED");
      assert.match(error.message, message);
      assert.equal(error.cause, cause);
    }
  });

  test("toConnectError keeps a refusal, a missing route and a timeout as they are", () => {
    assert.equal(toConnectError({ code: "ECONNREFUSED" }, to, 2).code, "CONNECTION_REFUSED");
    const noRoute = denoError("NetworkUnreachable", "ENETUNREACH");
    assert.equal(toConnectError(noRoute, to, 2).code, "NETWORK_UNREACHABLE");
    assert.equal(toConnectError({ code: "ETIMEDOUT" }, to, slow).code, "TIMED_OUT");
  });

  test("toConnectError says a link-local address without %interface needs one", () => {
    const bare = { hostname: "fe80::1", port: 9000 };
    const error = toConnectError(denoError("TypeError", "EINVAL"), bare, 1);
    assert.equal(error.code, "INTERFACE_REQUIRED");
    assert.equal(error.message, "fe80::1 is a link-local address: add %INTERFACE");
    // With the interface given, or when the host answered, the zone was not the problem.
    const zoned = { hostname: "fe80::1%eth0", port: 9000 };
    assert.equal(toConnectError({ code: "EINVAL" }, zoned, 1).code, "REJECTED");
    assert.equal(toConnectError({ code: "ECONNREFUSED" }, bare, 1).code, "CONNECTION_REFUSED");
    const siteLocalLookalike = { hostname: "fe8::1", port: 9000 };
    assert.equal(toConnectError({ code: "EINVAL" }, siteLocalLookalike, 1).code, "REJECTED");
  });
});
