// Runs socklab's scripts as real subprocesses under the runtime running the tests,
// so every script test covers Deno under `deno test` and Bun under `bun test`.
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { PROJECT_ROOT as ROOT, scriptCommand } from "../../tools/script_command.ts";

export { scriptCommand };

/** A finished run. */
export interface ScriptResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** What a run printed on stdout, parsed as one JSON value; fails with both streams when it is not. */
export function stdoutJson<T>(result: ScriptResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not one JSON object: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

/** A running script with line-level access to its output. */
export class RunningScript {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<ScriptResult>;
  #listeners: (() => void)[] = [];

  /**
   * `env` adds to the test's own environment for this child only: test files
   * run in parallel, as workers of one process on Deno, so none may change
   * `process.env` for the others.
   */
  constructor(command: string, args: string[], cwd = ROOT, env?: Record<string, string>) {
    const childEnv = env === undefined ? undefined : { ...process.env, ...env };
    this.child = spawn(command, args, { cwd, env: childEnv, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout!.setEncoding("utf8");
    this.child.stderr!.setEncoding("utf8");
    this.child.stdout!.on("data", (text: string) => {
      this.stdout += text;
      this.#notify();
    });
    this.child.stderr!.on("data", (text: string) => {
      this.stderr += text;
      this.#notify();
    });
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        this.#notify();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  #notify(): void {
    for (const listener of this.#listeners.splice(0)) listener();
  }

  /**
   * Waits until `pattern` matches stdout (or stderr with `stream: "stderr"`),
   * failing after `timeoutMs` with what was printed so far.
   */
  async waitFor(
    pattern: RegExp,
    { stream = "stdout", timeoutMs = 10_000 }: {
      stream?: "stdout" | "stderr";
      timeoutMs?: number;
    } = {},
  ): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let finished = false;
    void this.exited.then(() => (finished = true));
    for (;;) {
      const match = (stream === "stdout" ? this.stdout : this.stderr).match(pattern);
      if (match) return match;
      if (finished || Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${pattern} on ${stream}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#listeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Writes to the script's stdin. */
  write(text: string): void {
    this.child.stdin!.write(text);
  }

  /** Closes the script's stdin (end of input). */
  endInput(): void {
    this.child.stdin!.end();
  }

  /** Sends a signal and waits for the exit. */
  async stop(signal: NodeJS.Signals = "SIGINT"): Promise<ScriptResult> {
    // process.kill, not child.kill: on Deno the latter reports the exit as the
    // signal even when the script handled it and exited with its own code.
    if (this.child.exitCode === null && this.child.signalCode === null) {
      process.kill(this.child.pid!, signal);
    }
    return await this.exited;
  }

  /** Kills the process if still running; for `finally` blocks. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    this.child.stdin?.destroy();
    await this.exited;
  }
}

/** Starts `script` (e.g. "server.ts") with `args`. */
export function startScript(
  script: string,
  args: string[],
  env?: Record<string, string>,
): RunningScript {
  const [command, argv] = scriptCommand(script, args);
  return new RunningScript(command, argv, ROOT, env);
}

/**
 * Runs `script` to completion with `input` on stdin; kills it after
 * `timeoutMs` so a hung script fails the test instead of hanging it.
 */
export async function runScript(
  script: string,
  args: string[],
  { input = "", timeoutMs = 15_000, env }: {
    input?: string;
    timeoutMs?: number;
    env?: Record<string, string>;
  } = {},
): Promise<ScriptResult> {
  const running = startScript(script, args, env);
  const timer = setTimeout(() => running.child.kill("SIGKILL"), timeoutMs);
  running.child.stdin!.end(input);
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts `server.ts`-style scripts that print `listening on PROTO://HOST:PORT`
 * first, and returns the running script with the port it chose.
 */
export async function startServer(
  script: string,
  args: string[],
): Promise<{ server: RunningScript; port: number }> {
  return await listeningOn(startScript(script, args));
}

/** Starts `udp.ts server --port 0` with `args`, and returns it with the port it chose. */
export async function startUdpServer(
  args: string[],
): Promise<{ server: RunningScript; port: number }> {
  return await startServer("udp.ts", ["server", "--port", "0", ...args]);
}

/**
 * Waits for a started server's `listening on PROTO://HOST:PORT` line and
 * returns it with the port; kills it when that line does not come.
 */
export async function listeningOn(
  server: RunningScript,
): Promise<{ server: RunningScript; port: number }> {
  try {
    const match = await server.waitFor(/listening on \w+:\/\/\[?[^\s\]]*\]?:(\d+)/);
    return { server, port: Number(match[1]) };
  } catch (error) {
    await server.kill();
    throw error;
  }
}
