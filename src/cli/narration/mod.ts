/**
 * Seeing the wire: `-v`, `--json` and `--hex` for every script, as one trace
 * sink built from the flags.
 * @module
 */
export { createNarrator } from "./narrator.ts";
