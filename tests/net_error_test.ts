import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NetError, type NetErrorCode, toNetError } from "../mod.ts";

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

  test("toNetError maps anything unknown to UNKNOWN", () => {
    for (const odd of [undefined, null, 42, "ECONNREFUSED", {}, new Error("weird"), { code: 5 }]) {
      assert.equal(toNetError(odd).code, "UNKNOWN");
    }
  });
});
