// Issue 21's attacks share one shape so that bench/soak.ts prints each the
// same way and the fault battery asserts on the same figures it prints.
import type { RuntimeName } from "../../src/net/runtime.ts";

/** What one attack measured against a server it started on `runtime`. */
export interface Round3Figures {
  /** The item number (1 to 7). */
  item: number;
  /** A short name, as the soak prints it. */
  name: string;
  /** The measured figures, each a label and a value in words (with units), in print order. */
  figures: [label: string, value: string][];
}

/** An attack bench/soak.ts can run against a fresh server of its own on each runtime. */
export type Round3Attack = (runtime: RuntimeName) => Promise<Round3Figures>;
