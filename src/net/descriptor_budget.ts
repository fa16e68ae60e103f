import { readdirSync, readFileSync } from "node:fs";
import { NetError } from "./net_error.ts";

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
  #lastNotice = -Infinity;

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

  /**
   * The error that says a new client was let go for want of descriptors, at
   * most once a second (a flood of them would flood the log); else undefined.
   */
  exhaustedNotice(): NetError | undefined {
    if (Date.now() - this.#lastNotice < 1000) return undefined;
    this.#lastNotice = Date.now();
    return new NetError(
      "TOO_MANY_OPEN_FILES",
      `out of file descriptors (the limit is ${this.#limit}); new clients are closed at once`,
    );
  }
}
