import process from "node:process";
import { mayReadEnv } from "../../net/mod.ts";

/** The languages the checker writes in. */
export type Lang = "en" | "id";

/** The values `--lang` takes. */
export const LANGS: readonly Lang[] = ["en", "id"];

// POSIX order: LC_ALL overrides LC_MESSAGES, which overrides LANG.
const LOCALE_VARIABLES = ["LC_ALL", "LC_MESSAGES", "LANG"] as const;

function langOf(locale: string): Lang {
  return /^id([_.@-]|$)/i.test(locale) ? "id" : "en";
}

/**
 * The language a locale asks for: the first of LC_ALL, LC_MESSAGES and LANG
 * that is set (`id_ID.UTF-8` is Indonesian, `C` or `en_US` English). With
 * none set, as in the Windows executable, `intlLocale` (a BCP 47 tag) decides.
 */
export function langFromLocale(
  env: Readonly<Partial<Record<(typeof LOCALE_VARIABLES)[number], string>>>,
  intlLocale: string,
): Lang {
  const set = LOCALE_VARIABLES.map((name) => env[name]).find((value) => value);
  return langOf(set ?? intlLocale);
}

/**
 * The system's language for the checker. Deno's permission set grants the
 * locale variables; one it does not grant is skipped rather than asked for.
 * Deno's Intl follows LANG itself; Bun's reports en-US on Linux whatever the
 * locale, so there Intl only matters when nothing is set.
 */
export function systemLang(): Lang {
  const env = Object.fromEntries(
    LOCALE_VARIABLES.filter((name) => mayReadEnv(name)).map((name) => [name, process.env[name]]),
  );
  return langFromLocale(env, Intl.DateTimeFormat().resolvedOptions().locale);
}
