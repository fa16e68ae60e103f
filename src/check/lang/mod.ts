/**
 * The checker's words in each language, and the system's choice among them.
 * @module
 */
import { type Catalogue, EN } from "./en.ts";
import { ID } from "./id.ts";
import type { Lang } from "./locale.ts";

export { type Catalogue, EN } from "./en.ts";
export { ID } from "./id.ts";
export { type Lang, LANGS, systemLang } from "./locale.ts";

const CATALOGUES: Record<Lang, Catalogue> = { en: EN, id: ID };

/** The texts of `lang`. */
export function catalogueOf(lang: Lang): Catalogue {
  return CATALOGUES[lang];
}

/** Fills a text's `{name}` placeholders with `values`. */
export function say(text: string, values: Record<string, string | number> = {}): string {
  return text.replace(
    /\{(\w+)\}/g,
    (whole, name: string) => name in values ? String(values[name]) : whole,
  );
}
