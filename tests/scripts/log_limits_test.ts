// server.ts under a flood of bad messages: its error log is bounded per client, and a
// stderr nobody reads neither stops it serving nor stops it exiting on Ctrl-C.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { describe, test } from "node:test";
import { runtime } from "../../src/net/runtime.ts";
import type { TcpConnection } from "../../src/net/types.ts";
import { connect } from "../../src/tcp/tcp_client.ts";
import { Recorder, within } from "../helpers/net_fixtures.ts";
import { scriptCommand, startServer } from "../helpers/scripts.ts";

const FLOOD_LINES = 50_000;
// 0xff 0xfe is never valid UTF-8, so `--mode upper` answers each line with an error.
const BAD_LINE = [0xff, 0xfe, 0x0a];
// How long the flood gets to be answered; the old code on Deno never answers it.
const FLOOD_ANSWER_MS = 20_000;
const REPLY_TIMEOUT_MS = 5000;
const EXIT_BOUND_MS = 2000;

function floodBytes(lines: number): Uint8Array {
  const bytes = new Uint8Array(lines * BAD_LINE.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = BAD_LINE[i % BAD_LINE.length]!;
  return bytes;
}

function countNewlines(recorder: Recorder): number {
  let lines = 0;
  for (const chunk of recorder.chunks) {
    for (const byte of chunk) if (byte === 0x0a) lines++;
  }
  return lines;
}

/** Sends the flood on one raw connection and waits (bounded) for a reply line to each. */
async function flood(port: number, lines: number): Promise<number> {
  const connection: TcpConnection = await runtime.connectTcp({ hostname: "127.0.0.1", port });
  const replies = new Recorder();
  connection.start(replies);
  try {
    connection.write(floodBytes(lines));
    // One reply line is at least "error: ...\n", far more than 3 bytes; wait by bytes, then count.
    const deadline = Date.now() + FLOOD_ANSWER_MS;
    while (countNewlines(replies) < lines && Date.now() < deadline) {
      try {
        await replies.receivedAtLeast(replies.received + 1, deadline - Date.now());
      } catch {
        break;
      }
    }
    return countNewlines(replies);
  } finally {
    connection.close();
    await within(replies.closed, 5000, "the flood connection to close");
  }
}

/** Whether a new client gets "HELLO" back from `hello` within the reply timeout. */
async function answersNewClient(port: number): Promise<string> {
  const connection = await connect({ host: "127.0.0.1", port, timeoutMs: REPLY_TIMEOUT_MS });
  try {
    connection.send("hello");
    const reply = await connection.receive(REPLY_TIMEOUT_MS);
    return reply?.text ?? "(closed without a reply)";
  } catch (error) {
    return `(no reply: ${(error as Error).message})`;
  } finally {
    connection.close();
    await connection.closed;
  }
}

/** Resolves with how long the process took to exit after `signal`, or rejects past `ms`. */
function exitAfter(child: ChildProcess, signal: NodeJS.Signals, ms: number): Promise<number> {
  const started = Date.now();
  const exited = new Promise<number>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(0);
    else child.once("exit", () => resolve(Date.now() - started));
  });
  process.kill(child.pid!, signal);
  return within(exited, ms, `server.ts to exit after ${signal}`);
}

/** Starts server.ts with stderr a pipe that nothing ever reads, and waits for its port. */
async function startWithUnreadStderr(
  args: string[],
): Promise<{ child: ChildProcess; port: number }> {
  const [command, argv] = scriptCommand("server.ts", args);
  // No listener is ever attached to stderr, so nothing drains that pipe: the kernel's
  // 64 KiB fills and every further write by the server would wait.
  const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout!.setEncoding("utf8");
  const port = await within(
    new Promise<number>((resolve, reject) => {
      child.stdout!.on("data", (text: string) => {
        stdout += text;
        const match = stdout.match(/listening on tcp:\/\/127\.0\.0\.1:(\d+)/);
        if (match) resolve(Number(match[1]));
      });
      child.once("exit", (code) => reject(new Error(`server.ts exited with ${code}: ${stdout}`)));
    }),
    10_000,
    "server.ts to print its port",
  );
  return { child, port };
}

async function killAndClose(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await exited;
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** How a flood went, each step measured before any is judged so a failure shows them all. */
interface FloodOutcome {
  answered: number;
  reply: string;
  exit: string;
}

const SERVED_AND_STOPPED = (lines: number): FloodOutcome => ({
  answered: lines,
  reply: "HELLO",
  exit: "exited quickly after SIGINT",
});

/**
 * Floods a server whose stderr nobody reads, asks a second client for an answer,
 * optionally runs `meanwhile`, then sends SIGINT and times the exit.
 */
async function floodUnread(
  args: string[],
  lines: number,
  meanwhile?: (child: ChildProcess) => Promise<void>,
): Promise<FloodOutcome> {
  const { child, port } = await startWithUnreadStderr(args);
  try {
    const answered = await flood(port, lines);
    const reply = await answersNewClient(port);
    await meanwhile?.(child);
    const exit = await exitAfter(child, "SIGINT", EXIT_BOUND_MS).then(
      (ms) => `exited ${ms} ms after SIGINT`,
      (error: Error) => error.message,
    );
    return { answered, reply, exit };
  } finally {
    await killAndClose(child);
  }
}

function judged(outcome: FloodOutcome): FloodOutcome {
  return { ...outcome, exit: outcome.exit.replace(/^exited \d+ ms/, "exited quickly") };
}

function told(outcome: FloodOutcome): string {
  return `flood lines answered ${outcome.answered}, second client got ${outcome.reply}, ${outcome.exit}`;
}

// --hex writes several log lines for every 16 bytes each way: far more than a pipe holds.
const HEX_ARGS = ["--mode", "upper", "--port", "0", "--hex"];
const HEX_FLOOD_LINES = 20_000;

describe("server.ts log limits", () => {
  test(
    "server.ts keeps serving and stops on SIGINT while nobody reads its stderr during an error flood",
    async () => {
      const outcome = await floodUnread(["--mode", "upper", "--port", "0"], FLOOD_LINES);
      assert.deepEqual(judged(outcome), SERVED_AND_STOPPED(FLOOD_LINES), told(outcome));
    },
  );

  test(
    "server.ts --hex keeps serving and stops on SIGINT while its stderr pipe stays full",
    async () => {
      const outcome = await floodUnread(HEX_ARGS, HEX_FLOOD_LINES);
      assert.deepEqual(judged(outcome), SERVED_AND_STOPPED(HEX_FLOOD_LINES), told(outcome));
    },
  );

  test(
    "server.ts --hex says how many log lines it dropped once its stderr is read again",
    async () => {
      let dropped = "";
      const outcome = await floodUnread(HEX_ARGS, HEX_FLOOD_LINES, async (child) => {
        // Now someone reads: what waited arrives, then the count of what could not wait.
        let stderr = "";
        child.stderr!.setEncoding("utf8");
        dropped = await within(
          new Promise<string>((resolve) => {
            child.stderr!.on("data", (text: string) => {
              stderr += text;
              const match = stderr.match(/^\d+ log lines dropped: stderr was not being read.*$/m);
              if (match) resolve(match[0]);
            });
          }),
          REPLY_TIMEOUT_MS,
          "the count of dropped log lines",
        ).catch((error: Error) => error.message);
      });
      assert.deepEqual(judged(outcome), SERVED_AND_STOPPED(HEX_FLOOD_LINES), told(outcome));
      assert.match(dropped, /^\d+ log lines dropped: stderr was not being read \(.*2> log\.txt/);
    },
  );

  test("server.ts logs one client's repeated error once, then one line with the count", async () => {
    const { server, port } = await startServer("server.ts", ["--mode", "upper", "--port", "0"]);
    try {
      const lines = 5000;
      assert.equal(await flood(port, lines), lines);
      await server.waitFor(/the same error/, { stream: "stderr", timeoutMs: 5000 });
      const result = await server.stop("SIGINT");
      const about = result.stderr.split("\n").filter((line) => /^client 1 /.test(line));
      assert.equal(about.length, 2, `two lines about client 1:\n${about.join("\n")}`);
      assert.match(
        about[0]!,
        /^client 1 \(127\.0\.0\.1:\d+\): message of 2 bytes is not valid UTF-8/,
      );
      assert.match(
        about[1]!,
        new RegExp(`^client 1 \\(127\\.0\\.0\\.1:\\d+\\): the same error ${lines - 1} more times`),
      );
      assert.equal(result.code, 0);
    } finally {
      await server.kill();
    }
  });
});
