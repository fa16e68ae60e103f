import type { TraceEndpoints, TraceEvent, TraceSink } from "../message/mod.ts";

/**
 * The trace events a read causes (a chat line relayed to the others, a
 * goodbye and our FIN), held while that read's chunk is decoded and emitted
 * right after it, so narration shows them after the read, not before it.
 * One per server: another server in the same process is not reading then.
 */
export class ReadConsequences {
  #held: (() => void)[] | undefined;

  /** Shows `event` to `trace` at once, or after the read being decoded. */
  emit(trace: TraceSink, event: TraceEvent, where: TraceEndpoints): void {
    if (this.#held) this.#held.push(() => trace(event, where));
    else trace(event, where);
  }

  /** Runs `decode`, then emits what it caused, even when it throws. */
  during<T>(decode: () => T): T {
    if (this.#held) return decode();
    const held: (() => void)[] = (this.#held = []);
    try {
      return decode();
    } finally {
      this.#held = undefined;
      for (const emit of held) emit();
    }
  }
}
