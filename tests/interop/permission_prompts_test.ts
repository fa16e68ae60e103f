// `deno run server.ts` with no permission flags, on a terminal: Deno asks for each
// permission as the code first uses it. A run asks for the network it needs, and
// nothing more, and never after it has failed. `script` gives Deno the terminal
// it needs to ask at all (without one, Deno denies silently).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { describe, test } from "node:test";
import { detectRuntime, runtime } from "../../src/net/runtime.ts";
import { PROJECT_ROOT } from "../../tools/script_command.ts";
import { closedPort } from "../helpers/net_fixtures.ts";
import { hasCommand } from "../helpers/peers.ts";

const RUN_TIMEOUT_MS = 20_000;
const ANSWER_RETRY_MS = 500;
const MAX_ANSWER_ATTEMPTS = 10;

// deno's prompt: "┏ ⚠️  Deno requests net access to ...", then "┗ Allow? [y/n/A] ...".
const REQUEST = /Deno requests (\w+) access/g;
// Deno colours its prompt even on a pseudo-terminal; the patterns read the words.
// deno-lint-ignore no-control-regex
const COLOUR = /\x1b\[[0-9;]*[A-Za-z]/g;

function unavailable(): string | false {
  if (detectRuntime() !== "deno") return "Deno's permission prompts; Bun has no permissions";
  if (!hasCommand("script")) return "script is not installed (apt-get install bsdutils)";
  return false;
}

/** A plain `deno run SCRIPT ...` on a pseudo-terminal, answering Deno's prompts. */
class PromptedRun {
  readonly child: ChildProcess;
  output = "";
  /** The permission kinds Deno asked for, in order. */
  readonly requested: string[] = [];
  readonly exited: Promise<number | null>;
  #answered = 0;
  #closed = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(script: string, args: string[], answer: (kind: string) => "y" | "n") {
    // `exec`: script runs the line with $SHELL, or /bin/sh when that is unset; dash
    // stays as the parent, in the terminal's process group, so Ctrl-C would kill
    // it too and script would report 130. A user's interactive shell keeps itself
    // out of the way like this, so the program alone gets the Ctrl-C.
    const line = ["exec", process.execPath, "run", `${PROJECT_ROOT}${script}`, ...args].join(" ");
    // -e: script exits with the program's status; the log file is not wanted.
    this.child = spawn("script", ["-qec", line, "/dev/null"], {
      cwd: PROJECT_ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      this.output += text.replace(COLOUR, "");
      const kinds = [...this.output.matchAll(REQUEST)].map((m) => m[1]!);
      const prompts = this.output.split("Allow?").length - 1;
      while (this.#answered < prompts && this.#answered < kinds.length) {
        const kind = kinds[this.#answered++]!;
        this.requested.push(kind);
        this.#answer(answer(kind));
      }
    });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    this.exited = new Promise((resolve) =>
      this.child.on("close", (code) => {
        this.#closed = true;
        clearTimeout(timer);
        clearTimeout(this.#retry);
        resolve(code);
      })
    );
  }

  // Deno empties the terminal's input once its prompt is shown, so an answer typed
  // too soon is lost: it is typed again until Deno prints something after it.
  #answer(key: "y" | "n"): void {
    const before = this.output.length;
    const type = (attempt: number) => {
      const answered = /Granted|Denied/.test(this.output.slice(before));
      if (answered || this.#closed || attempt >= MAX_ANSWER_ATTEMPTS) return;
      this.child.stdin!.write(`${key}\n`);
      this.#retry = setTimeout(() => type(attempt + 1), ANSWER_RETRY_MS);
    };
    this.#retry = setTimeout(() => type(0), ANSWER_RETRY_MS);
  }

  /** Waits until the output matches `pattern`, or the run ends. */
  async waitFor(pattern: RegExp): Promise<void> {
    let over = false;
    void this.exited.then(() => (over = true));
    for (let i = 0; i < RUN_TIMEOUT_MS / 50 && !over && !pattern.test(this.output); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(this.output, pattern);
  }
}

describe(
  "plain deno run server.ts asks only for what the run needs",
  { skip: unavailable() },
  () => {
    test("server.ts on a port in use asks for the network, then fails without asking again", async () => {
      const taken = await runtime.listenTcp({
        hostname: "127.0.0.1",
        port: 0,
        onConnection: (c) => c.close(),
      });
      try {
        const run = new PromptedRun("server.ts", ["--port", String(taken.address.port)], () => "y");
        const code = await run.exited;
        assert.match(run.output, /address already in use/);
        assert.equal(code, 1, run.output);
        assert.deepEqual(run.requested, ["net"], run.output);
      } finally {
        await taken.close();
      }
    });

    test("server.ts --host 0.0.0.0 asks for the network only and says how to see its addresses", async () => {
      const run = new PromptedRun(
        "server.ts",
        ["--host", "0.0.0.0", "--port", "0", "--no-announce"],
        () => "y",
      );
      try {
        await run.waitFor(/to watch the packets/);
        assert.deepEqual(run.requested, ["net"], run.output);
        assert.match(run.output, /listing network interfaces is not permitted/);
      } finally {
        // Ctrl-C on the terminal, as the user stops it.
        run.child.stdin!.write("\x03");
        const code = await run.exited;
        assert.equal(code, 0, run.output);
        assert.deepEqual(run.requested, ["net"], run.output);
      }
    });

    test("client.ts to a closed port asks for the network, then reports the refusal without asking", async () => {
      const port = await closedPort();
      const run = new PromptedRun("client.ts", ["--port", String(port), "hi"], () => "y");
      const code = await run.exited;
      assert.match(run.output, /connection refused/);
      assert.equal(code, 1, run.output);
      assert.deepEqual(run.requested, ["net"], run.output);
    });
  },
);
