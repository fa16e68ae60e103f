// The gallery of student servers in tests/fixtures/student_servers/ (and any
// Python server a test starts), and the report of client.ts --check / udp.ts
// check as the tests read it.
import { spawnSync } from "node:child_process";
import { RunningScript } from "./scripts.ts";

const GALLERY = new URL("../fixtures/student_servers/", import.meta.url).pathname;

let interpreter: string | undefined;

// python3 may be a version manager's shim (pyenv's takes seconds to start under
// load); the interpreter it stands for starts in milliseconds.
function python(): string {
  interpreter ??= spawnSync("python3", ["-c", "import sys; print(sys.executable)"], {
    encoding: "utf8",
    timeout: 30_000,
  }).stdout?.trim() || "python3";
  return interpreter;
}

/** A running Python server and the port it printed. */
export interface PythonServer {
  server: RunningScript;
  port: number;
}

/**
 * Starts a Python server, `python3 -u` with `args`, that prints the port the
 * system gave it (port 0) on its first line. Killed when it does not.
 */
export async function startPythonServer(args: string[]): Promise<PythonServer> {
  const server = new RunningScript(python(), ["-u", ...args]);
  try {
    const match = await server.waitFor(/^(\d+)\n/);
    return { server, port: Number(match[1]) };
  } catch (error) {
    await server.kill();
    throw error;
  }
}

/** Starts the gallery server `name` with python3, as a student runs it. */
export function startStudentServer(name: string): Promise<PythonServer> {
  return startPythonServer([`${GALLERY}${name}.py`]);
}

/**
 * Gallery servers all started at once, up front, because python starts slowly
 * here and there; each test awaits the one it needs. A key may end in `#tag`
 * to start another copy of the same server.
 */
export class StudentGallery {
  readonly #running = new Map<string, Promise<PythonServer>>();

  /** Starts a server for each key; one that fails to start fails the tests that await it. */
  start(keys: readonly string[]): void {
    for (const key of keys) {
      const running = startStudentServer(key.replace(/#.*/, ""));
      running.catch(() => {});
      this.#running.set(key, running);
    }
  }

  /** The server started for `key`. */
  started(key: string): Promise<PythonServer> {
    const running = this.#running.get(key);
    if (!running) throw new Error(`no gallery server was started for ${key}`);
    return running;
  }

  /** Kills every server that started. */
  async stopAll(): Promise<void> {
    for (const running of this.#running.values()) {
      await running.then(({ server }) => server.kill(), () => {});
    }
  }
}

/** One check as the JSON report gives it. */
export interface CheckEntry {
  name: string;
  passed: boolean;
  status: "passed" | "failed" | "not run";
  notRun: boolean;
  detail: string;
  sent: string[];
  received: string[];
  expected?: string;
  hint?: string;
}

/** The JSON report of a check run. */
export interface CheckReport {
  target: string;
  protocol: "tcp" | "udp";
  checks: CheckEntry[];
  passed: number;
  failed: number;
  notRun: number;
  error?: string;
}

/** The named check of `report`; fails the test when it is missing. */
export function entry(report: CheckReport, name: string): CheckEntry {
  const found = report.checks.find((check) => check.name === name);
  if (!found) throw new Error(`no check named ${name} in ${JSON.stringify(report)}`);
  return found;
}

/** The names of the checks that did not pass, with their status, for assertion messages. */
export function notPassed(report: CheckReport): string[] {
  return report.checks.filter((check) => !check.passed).map((c) => `${c.name}: ${c.detail}`);
}
