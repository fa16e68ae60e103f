import { EXPECT_NAMES, type ExpectName, type Lang, LANGS, systemLang } from "../../check/mod.ts";
import { UsageError } from "../../errors/mod.ts";
import { choiceFlag } from "../mod.ts";

/**
 * Reads `--expect`: what each reply must be (default `any`).
 * @throws {UsageError} for a value other than echo, upper or any.
 */
export function expectFlag(value: string | undefined): ExpectName {
  return value === undefined ? "any" : choiceFlag("expect", value, EXPECT_NAMES);
}

/**
 * Refuses flags that make no sense with `client.ts --check`, which sends its
 * own messages and prints its own report.
 * @param given The other tasks' flags and messages that were given.
 * @throws {UsageError} naming what cannot be combined.
 */
export function refuseWithCheck(given: { name: string; present: boolean }[]): void {
  const clash = given.filter((flag) => flag.present).map((flag) => flag.name);
  if (clash.length > 0) {
    throw new UsageError(
      `--check sends its own messages and prints a report: give it without ${clash.join(", ")}`,
    );
  }
}

/**
 * Reads `--lang`: en or id; without it, the system's locale decides.
 * @throws {UsageError} for another value.
 */
export function langFlag(value: string | undefined): Lang {
  return value === undefined ? systemLang() : choiceFlag("lang", value, LANGS);
}
