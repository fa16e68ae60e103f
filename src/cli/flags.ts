import { parseArgs } from "node:util";
import { type CidrRange, parseCidr } from "../address/mod.ts";
import { escapeControl } from "../bytes/mod.ts";
import { UsageError } from "../errors/mod.ts";
import { FRAMING_NAMES, type FramingName } from "../framing/mod.ts";

/** A flag definition for node:util's parseArgs. */
export type FlagSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean; default?: string | boolean }
>;

/** Flags every socklab script takes. */
export const COMMON_FLAGS = {
  host: { type: "string" },
  port: { type: "string", short: "p", default: "9000" },
  framing: { type: "string", default: "line" },
  verbose: { type: "boolean", short: "v", default: false },
  json: { type: "boolean", default: false },
  hex: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies FlagSpec;

/**
 * Parses `args` against `spec`, turning parseArgs' errors into one-line usage errors.
 * `given` holds the long names of the flags the command line set (a default looks the same in
 * `values`).
 * @throws {UsageError} for unknown flags, missing values, or unexpected positionals.
 */
export function parseFlags<T extends FlagSpec>(args: string[], spec: T, allowPositionals: boolean) {
  try {
    const parsed = parseArgs({ args, options: spec, allowPositionals, strict: true, tokens: true });
    const given: ReadonlySet<string> = new Set(
      parsed.tokens.flatMap((token) => token.kind === "option" ? [token.name] : []),
    );
    return { values: parsed.values, positionals: parsed.positionals, given };
  } catch (error) {
    const message = (error as Error).message.split("\n")[0]!
      .replace(/^Unknown option '(.*?)'.*/, "unknown flag $1")
      .replace(
        /^Option '(--[\w-]+)(?:, -\w)?' argument is ambiguous.*/,
        "$1 needs a value; for a negative number write $1=-N",
      )
      .replace(/^Option '(?:-\w, )?(--[\w-]+).*argument missing.*/, "$1 needs a value")
      .replace(
        /^Unexpected argument '(.*?)'.*/,
        "unexpected argument '$1': this command takes flags only",
      )
      .replace(/\. To specify a positional argument.*$/, "");
    throw new UsageError(message);
  }
}

/**
 * Reads an integer flag value and checks its range.
 * @throws {UsageError} naming the flag, the rule and the value.
 */
export function integerFlag(name: string, value: string, min: number, max: number): number {
  const number = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return number;
}

/**
 * Reads a number flag (fractions allowed) and checks its range.
 * @throws {UsageError} naming the flag, the rule and the value.
 */
export function numberFlag(name: string, value: string, min: number, max: number): number {
  const number = value.trim() === "" ? NaN : Number(value);
  if (!Number.isFinite(number) || number < min || number > max) {
    throw new UsageError(`--${name} must be a number from ${min} to ${max}, got '${value}'`);
  }
  return number;
}

/**
 * Reads a flag whose value must be one of `choices`.
 * @throws {UsageError} listing the choices.
 */
export function choiceFlag<C extends string>(
  name: string,
  value: string,
  choices: readonly C[],
): C {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got '${value}'`);
  }
  return value as C;
}

/**
 * Checks that `--host` is not empty. An empty value is a mistake (an unset
 * shell variable, or quotes left empty) that the runtimes would otherwise read
 * their own way: Deno as every interface, Bun as a crash. A port written into
 * it is read by `endpointFlags` (`endpoint_flags.ts`).
 * @throws {UsageError} when the value is empty or only spaces.
 */
export function hostFlag(value: string): string {
  if (value.trim() === "") {
    throw new UsageError(
      `--host needs an address or host name, such as 127.0.0.1, got '${escapeControl(value)}'`,
    );
  }
  return value;
}

/** Reads `--port`. */
export function portFlag(value: string): number {
  return integerFlag("port", value, 0, 65535);
}

/** Reads `--framing`. */
export function framingFlag(value: string): FramingName {
  return choiceFlag("framing", value, FRAMING_NAMES);
}

/**
 * Reads a repeatable CIDR flag (`--allow 10.0.0.0/8 --allow ::1`).
 * @throws {UsageError} naming the flag and the value that is not a range.
 */
export function cidrFlags(name: string, values: string[] | undefined): CidrRange[] {
  return (values ?? []).map((value) => {
    try {
      return parseCidr(value);
    } catch (error) {
      throw new UsageError(`--${name} ${(error as Error).message}`);
    }
  });
}
