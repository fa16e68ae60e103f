import { readdirSync, readFileSync } from "node:fs";

// Descriptors kept free for what else the process opens (a log file, DNS, a
// UDP socket, the runtime's own pipes).
const RESERVE = 16;

/** The soft limit on open descriptors, where the system tells it (Linux); else none. */
function descriptorLimit(): number {
  try {
    const limits = readFileSync("/proc/self/limits", "utf8");
    const soft = limits.match(/^Max open files\s+(\d+)/m)?.[1];
    return soft === undefined ? Infinity : Number(soft);
  } catch {
    return Infinity;
  }
}

function descriptorsInUse(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return 0;
  }
}

/**
 * Tells a listener when keeping one more connection would leave the process
 * without descriptors, counting the connections it accepted and, near the
 * limit, every descriptor really open.
 */
export class DescriptorBudget {
  readonly #limit = descriptorLimit();
  #connections = 0;

  /** One more connection is open. */
  opened(): void {
    this.#connections++;
  }

  /** A connection closed. */
  closed(): void {
    this.#connections--;
  }

  /** Whether too few descriptors are left to keep one more connection. */
  get exhausted(): boolean {
    // The cheap count first: reading the descriptor table costs a syscall per entry.
    if (this.#limit === Infinity || this.#connections + 2 * RESERVE < this.#limit - RESERVE) {
      return false;
    }
    return descriptorsInUse() >= this.#limit - RESERVE;
  }

  /** The limit, for the message that says it was reached. */
  get limit(): number {
    return this.#limit;
  }
}
