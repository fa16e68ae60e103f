import { clearInterval, setInterval } from "node:timers";

/**
 * The time in milliseconds since the epoch, read once per `resolutionMs`
 * rather than at every call: Date.now() cost 60-140 ns a call on a 2-core VM,
 * too much for a value read per datagram and shown to the second.
 */
export class CoarseClock {
  #now = Date.now();
  readonly #timer: ReturnType<typeof setInterval>;

  /** @param resolutionMs How often the time is read. */
  constructor(resolutionMs: number) {
    // It never keeps the program running: a server that failed to start still exits.
    this.#timer = setInterval(() => {
      this.#now = Date.now();
    }, resolutionMs).unref();
  }

  /** The time when last read: at most `resolutionMs` old. */
  get now(): number {
    return this.#now;
  }

  /** Stops reading the time; `now` keeps its last value. */
  stop(): void {
    clearInterval(this.#timer);
  }
}
