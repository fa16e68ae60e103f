import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  choiceFlag,
  cidrFlags,
  COMMON_FLAGS,
  hostFlag,
  integerFlag,
  numberFlag,
  parseFlags,
  portFlag,
} from "../../src/cli/flags.ts";
import { UsageError } from "../../src/errors/usage_error.ts";

function usageError(run: () => unknown, message: RegExp | string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof UsageError, String(error));
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

describe("flag parser", () => {
  test("defaults, short flags, and which flags the command line set", () => {
    const { values, given } = parseFlags(["-p", "7", "--json"], COMMON_FLAGS, false);
    assert.equal(values.port, "7");
    assert.equal(values.json, true);
    assert.equal(values.framing, "line");
    assert.deepEqual([...given].sort(), ["json", "port"]);
  });

  test("unknown flags, missing values and positionals are one-line usage errors", () => {
    usageError(() => parseFlags(["--nope"], COMMON_FLAGS, false), "unknown flag --nope");
    usageError(() => parseFlags(["--port"], COMMON_FLAGS, false), "--port needs a value");
    usageError(
      () => parseFlags(["extra"], COMMON_FLAGS, false),
      "unexpected argument 'extra': this command takes flags only",
    );
    assert.deepEqual(parseFlags(["extra"], COMMON_FLAGS, true).positionals, ["extra"]);
  });

  test("a negative number as a value is explained", () => {
    usageError(
      () => parseFlags(["--port", "-1"], COMMON_FLAGS, false),
      "--port needs a value; for a negative number write --port=-N",
    );
    assert.equal(parseFlags(["--port=-1"], COMMON_FLAGS, false).values.port, "-1");
  });

  test("integers: both bounds are allowed, one past them and non-integers are not", () => {
    assert.equal(integerFlag("count", "1", 1, 10), 1);
    assert.equal(integerFlag("count", " 10 ", 1, 10), 10);
    usageError(
      () => integerFlag("count", "0", 1, 10),
      "--count must be an integer from 1 to 10, got '0'",
    );
    usageError(() => integerFlag("count", "11", 1, 10), /got '11'/);
    for (const bad of ["1.5", "", "1e3", "0x10", "9007199254740993"]) {
      usageError(
        () => integerFlag("count", bad, 0, Number.MAX_SAFE_INTEGER * 2),
        /must be an integer/,
      );
    }
    assert.equal(portFlag("65535"), 65535);
    usageError(() => portFlag("65536"), /--port must be an integer from 0 to 65535/);
  });

  test("numbers take fractions within the bounds, nothing else", () => {
    assert.equal(numberFlag("rate", "0.5", 0, 1), 0.5);
    for (const bad of ["", " ", "NaN", "Infinity", "1.01", "-0.1"]) {
      usageError(() => numberFlag("rate", bad, 0, 1), /--rate must be a number from 0 to 1/);
    }
  });

  test("choices, hosts and CIDR lists", () => {
    assert.equal(choiceFlag("mode", "b", ["a", "b"]), "b");
    usageError(() => choiceFlag("mode", "c", ["a", "b"]), "--mode must be one of a, b, got 'c'");
    usageError(() => hostFlag("  "), /--host needs an address/);
    // What the user typed is shown escaped, never as terminal controls.
    usageError(() => hostFlag("\r"), /got '\\x0d'/);
    assert.equal(hostFlag("::1"), "::1");
    assert.deepEqual(cidrFlags("allow", undefined), []);
    assert.equal(cidrFlags("allow", ["10.0.0.0/8", "::1"]).length, 2);
    usageError(() => cidrFlags("allow", ["10.0.0.0/99"]), /^--allow /);
  });
});
