// Live packet capture on loopback with tshark, so tests can check what really
// crossed the wire (handshake, PSH/ACK, FIN) rather than what the code meant to send.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import process from "node:process";
import { bindUdp } from "../../mod.ts";
import { peerMissing } from "./peers.ts";

/** TCP flag bits as they sit in the header's flags field. */
export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** One captured TCP segment. */
export interface Segment {
  srcPort: number;
  dstPort: number;
  /** The raw flags field; test bits with {@linkcode TCP_FLAGS}. */
  flags: number;
  /** Payload bytes. */
  length: number;
}

// A hard limit on every tshark we start, so a stuck capture cannot hang the suite.
const CAPTURE_LIMIT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const READY_TIMEOUT_MS = 15_000;
const MARK_INTERVAL_MS = 100;

/**
 * Returns a skip reason when no live capture on `lo` is possible here: tshark
 * missing, or no permission to capture. With SOCKLAB_REQUIRE_PEERS=1 (CI, which
 * runs as root) it throws instead, so CI cannot pass by skipping.
 */
export function captureUnavailable(): string | false {
  const missing = peerMissing("tshark", "tshark");
  if (missing) return missing;
  if (process.getuid?.() === 0) return false;
  // Not root: dumpcap may still have capture capabilities (the wireshark group); ask it.
  const probe = spawnSync("dumpcap", ["-D"], { encoding: "utf8", timeout: 5_000 });
  const canCapture = probe.status === 0 && /\blo\b/.test(probe.stdout ?? "")
    && spawnSync("dumpcap", ["-i", "lo", "-a", "duration:1", "-w", "/dev/null", "-q"], {
        stdio: "ignore",
        timeout: 5_000,
      }).status === 0;
  if (canCapture) return false;
  const reason = "capturing on lo needs root or capture rights (sudo, or the wireshark group)";
  if (process.env.SOCKLAB_REQUIRE_PEERS === "1") throw new Error(reason);
  return reason;
}

/** Reads tshark's flags field, printed as hex ("0x0018") or decimal depending on version. */
function parseFlags(field: string): number {
  const value = Number(field);
  if (!Number.isInteger(value)) {
    throw new Error(`tshark printed an unexpected tcp.flags: '${field}'`);
  }
  return value;
}

/** A running tshark on `lo` that reports each TCP segment as it is captured. */
export class LoopbackCapture {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #limit: ReturnType<typeof setTimeout>;
  #stdout = "";
  #stderr = "";
  #listeners: (() => void)[] = [];
  #done = false;

  private constructor(filter: string) {
    this.#child = spawn("tshark", [
      "-i",
      "lo",
      "-f",
      filter,
      "-l",
      "-n",
      "-T",
      "fields",
      "-E",
      "separator=,",
      "-e",
      "tcp.srcport",
      "-e",
      "tcp.dstport",
      "-e",
      "tcp.flags",
      "-e",
      "tcp.len",
      "-e",
      "udp.dstport",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    this.#child.stdout!.setEncoding("utf8");
    this.#child.stderr!.setEncoding("utf8");
    this.#child.stdout!.on("data", (text: string) => {
      this.#stdout += text;
      this.#notify();
    });
    this.#child.stderr!.on("data", (text: string) => {
      this.#stderr += text;
      this.#notify();
    });
    this.#exited = new Promise((resolve) => {
      this.#child.on("close", () => {
        this.#done = true;
        this.#notify();
        resolve();
      });
      // A missing binary reports here, not as a throw from spawn().
      this.#child.on("error", (error) => {
        this.#stderr += `\n${error.message}`;
      });
    });
    this.#limit = setTimeout(() => this.#child.kill("SIGKILL"), CAPTURE_LIMIT_MS);
  }

  /**
   * Starts capturing TCP segments to or from `port` and resolves once the capture
   * is live: every packet sent after that is seen.
   */
  static async start(port: number): Promise<LoopbackCapture> {
    // tshark prints "Capturing on" a moment before packets are really captured, so
    // readiness is proven instead: UDP marks sent to ourselves until one shows up.
    const marker = await bindUdp({ host: "127.0.0.1", port: 0, onDatagram() {} });
    const capture = new LoopbackCapture(`tcp port ${port} or udp port ${marker.localAddress.port}`);
    try {
      await capture.#waitUntil(
        () => {
          if (capture.#marked) return true;
          marker.send("mark", marker.localAddress);
          return false;
        },
        READY_TIMEOUT_MS,
        "the capture to start",
        MARK_INTERVAL_MS,
      );
      return capture;
    } catch (error) {
      await capture.stop();
      throw error;
    } finally {
      marker.close();
    }
  }

  get #lines(): string[][] {
    return this.#stdout.split("\n").filter((line) => line.trim() !== "").map((line) =>
      line.trim().split(",")
    );
  }

  get #marked(): boolean {
    return this.#lines.some((fields) => (fields[4] ?? "") !== "");
  }

  /** The TCP segments captured so far, in capture order. */
  get segments(): Segment[] {
    return this.#lines.filter((fields) => (fields[4] ?? "") === "").map((fields) => {
      const [src, dst, flags, length] = fields;
      return {
        srcPort: Number(src),
        dstPort: Number(dst),
        flags: parseFlags(flags ?? ""),
        length: Number(length),
      };
    });
  }

  /** Waits until `done(segments)` holds, failing after `timeoutMs` with what was captured. */
  async waitForSegments(done: (segments: Segment[]) => boolean, timeoutMs = 10_000): Promise<void> {
    await this.#waitUntil(() => done(this.segments), timeoutMs, "the expected segments");
  }

  /** Stops tshark (SIGINT lets it print what it still holds) and waits for it to exit. */
  async stop(): Promise<Segment[]> {
    if (!this.#done) {
      this.#child.kill("SIGINT");
      const escalate = setTimeout(() => this.#child.kill("SIGKILL"), STOP_GRACE_MS);
      await this.#exited;
      clearTimeout(escalate);
    }
    clearTimeout(this.#limit);
    return this.segments;
  }

  /** What tshark printed so far, for failure messages. */
  describe(): string {
    return `tshark stdout:\n${this.#stdout}\ntshark stderr:\n${this.#stderr}`;
  }

  #notify(): void {
    for (const listener of this.#listeners.splice(0)) listener();
  }

  async #waitUntil(
    ready: () => boolean,
    timeoutMs: number,
    what: string,
    pollMs = timeoutMs,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (this.#done || Date.now() > deadline) {
        throw new Error(`tshark: timed out waiting for ${what}\n${this.describe()}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, Math.min(pollMs, deadline - Date.now())));
        this.#listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
