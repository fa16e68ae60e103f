// Every tshark command the guide (docs/lab.md, docs/lab.id.md) tells students
// to type runs against the tshark installed here, on a real loopback exchange,
// and prints what the guide says it prints. The interface becomes `lo`, port
// 9000 the test's own port, and live captures end after a few seconds.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { describe, test } from "node:test";
import { connect, echo, serve, type Server } from "../../mod.ts";
import { delay as sleep } from "../../src/async/delay.ts";
import { PROJECT_ROOT } from "../../tools/script_command.ts";
import { captureUnavailable } from "../helpers/capture.ts";

const GUIDES = ["docs/lab.md", "docs/lab.id.md"];
const GUIDE_PORT = "9000";
// Live captures run this long: time for tshark to start and for exchanges to cross.
const CAPTURE_SECONDS = 4;
// Every tshark is killed by then; 8 starting at once take about 8 s on 2 idle cores
// and several times that on a loaded one. Below bun test's 60 s timeout.
const RUN_LIMIT_MS = 50_000;
const EXCHANGE_INTERVAL_MS = 200;

/** The tshark command lines in a guide's code blocks, as written there. */
export function tsharkCommands(markdown: string): string[] {
  const commands: string[] = [];
  let inBlock = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) {
      inBlock = !inBlock;
      continue;
    }
    // The server's banner shows one after "or: ", so the command may start mid-line.
    const found = inBlock ? /(?:^|\s)((?:sudo )?tshark(?: .*)?)$/.exec(line.trimEnd()) : null;
    if (found) commands.push(found[1]!);
  }
  return commands;
}

/** Splits a command line as a POSIX shell does for the simple quoting the guide uses. */
function words(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** What one guide command must print, checked against its output. */
interface Expectation {
  describe: string;
  holds(stdout: string): boolean;
}

const SUMMARY_LINE = /^\s*\d+\s+\d+\.\d+\s+127\.0\.0\.1 → 127\.0\.0\.1\s+TCP\s/;
// What the guide says each display filter keeps, in the summary line's words.
const FILTER_SHOWS: Record<string, RegExp> = {
  "tcp.flags.push == 1": /\[[^\]]*PSH/,
  "tcp.flags.syn == 1": /\[[^\]]*SYN/,
  "tcp.flags.fin == 1": /\[[^\]]*FIN/,
  "tcp.len > 0": /Len=[1-9]/,
};

function expectationFor(args: string[]): Expectation {
  const option = (flag: string) => {
    const at = args.indexOf(flag);
    return at < 0 ? undefined : args[at + 1];
  };
  if (option("-w") !== undefined) {
    return {
      describe: "nothing on stdout (the capture goes to the file)",
      holds: (out) => out === "",
    };
  }
  if (option("-T") === "fields") {
    const fields = args.filter((word) => word === "-e").length;
    // The exchange is "hello": a flags column shows its PSH/ACK, a text column shows the line.
    const column = args.includes("tcp.flags.str")
      ? { shown: "the flags ·······AP···", seen: "·······AP···" }
      : { shown: "hello", seen: "hello" };
    return {
      describe: `lines of ${fields} tab-separated fields, one with ${column.shown}`,
      holds: (out) => {
        const lines = out.split("\n").filter((line) => line !== "");
        return lines.length > 0 && lines.every((line) => line.split("\t").length === fields)
          && lines.some((line) => line.includes(column.seen));
      },
    };
  }
  const filter = option("-Y");
  const kept = filter === undefined ? undefined : FILTER_SHOWS[filter];
  const summaries = (out: string) => out.split("\n").filter((line) => SUMMARY_LINE.test(line));
  const summary: Expectation = {
    describe: `one summary line per packet${filter ? `, each matching ${kept}` : ""}`,
    holds: (out) => {
      const lines = summaries(out);
      return lines.length > 0 && (kept === undefined || lines.every((line) => kept.test(line)));
    },
  };
  if (!args.includes("-x")) return summary;
  return {
    describe: `${summary.describe}, and the bytes in hex with "hello" and its newline`,
    holds: (out) => summary.holds(out) && /^0000 {2}/m.test(out) && /6f 0a/.test(out),
  };
}

/** A guide command made runnable here. */
interface Runnable {
  /** The guides that give it, e.g. "docs/lab.md, docs/lab.id.md". */
  guides: string;
  written: string;
  args: string[];
  live: boolean;
  expect: Expectation;
}

function runnable(guides: string, written: string, port: number, dir: string): Runnable {
  const typed = words(written);
  const args = (typed[0] === "sudo" ? typed.slice(2) : typed.slice(1)).map((word, at, all) => {
    if (all[at - 1] === "-i") return "lo";
    if (all[at - 1] === "-w" || all[at - 1] === "-r") return `${dir}/${word}`;
    return word.replaceAll(GUIDE_PORT, String(port));
  });
  const live = args.includes("-i");
  return {
    guides,
    written,
    args: live ? [...args, "-a", `duration:${CAPTURE_SECONDS}`] : args,
    live,
    expect: expectationFor(args),
  };
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A started tshark, killed after {@linkcode RUN_LIMIT_MS} whatever happens. */
function start(args: string[]): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn("tshark", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const limit = setTimeout(() => child.kill("SIGKILL"), RUN_LIMIT_MS);
  const done = new Promise<Finished>((resolve) => {
    child.on("error", (error) => (stderr += `\n${error.message}`));
    child.on("close", (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

/** One request and its echo over a fresh connection, so every capture sees SYN, PSH and FIN. */
async function exchange(server: Server): Promise<void> {
  const connection = await connect({ host: "127.0.0.1", port: server.address.port });
  try {
    connection.send("hello");
    await connection.receive(2_000);
  } finally {
    connection.close();
    await connection.closed;
  }
}

function verdict(command: Runnable, result: Finished): string | undefined {
  if (result.code === null) return `killed after ${RUN_LIMIT_MS / 1000} s: ${result.stderr.trim()}`;
  if (result.code !== 0) return `exit ${result.code}: ${result.stderr.trim()}`;
  if (!command.expect.holds(result.stdout)) {
    return `expected ${command.expect.describe}; it printed:\n${result.stdout.slice(0, 600)}`;
  }
  return undefined;
}

const captureSkip = captureUnavailable();

describe("the guide's tshark commands", { skip: captureSkip }, () => {
  test("tsharkCommands finds the command lines of code blocks, even after a banner's 'or: '", () => {
    const markdown = [
      "Run `tshark -D` first.",
      "```sh",
      "sudo tshark -i lo -f \"tcp port 9000\"",
      "tshark -r lab.pcapng -x",
      "```",
      "```text",
      "to watch: Wireshark display filter \"tcp.port == 9000\", or: tshark -i any",
      "```",
    ].join("\n");
    assert.deepEqual(tsharkCommands(markdown), [
      "sudo tshark -i lo -f \"tcp port 9000\"",
      "tshark -r lab.pcapng -x",
      "tshark -i any",
    ]);
  });

  test("each runs on the installed tshark and prints what the guide says", async () => {
    const dir = spawnSync("mktemp", ["-d"], { encoding: "utf8" }).stdout.trim();
    assert.ok(dir.startsWith("/"), "mktemp -d gave no directory");
    const server = await serve({ host: "127.0.0.1", port: 0 }, echo);
    const running: ReturnType<typeof start>[] = [];
    try {
      // Both languages give mostly the same commands: each distinct one runs once.
      const givenBy = new Map<string, string[]>();
      for (const guide of GUIDES) {
        for (const written of tsharkCommands(readFileSync(`${PROJECT_ROOT}${guide}`, "utf8"))) {
          givenBy.set(written, [...(givenBy.get(written) ?? []), guide]);
        }
      }
      const commands = [...givenBy].map(([written, guides]) =>
        runnable([...new Set(guides)].join(", "), written, server.address.port, dir)
      );
      assert.ok(commands.length >= 7, `only ${commands.length} tshark commands found in the guide`);
      const live = commands.filter((c) => c.live);
      for (const command of live) running.push(start(command.args));
      // Each capture starts when tshark is ready, seconds apart on a busy machine,
      // so exchanges go on until every capture has ended.
      let ended = false;
      const all = Promise.all(running.map((r) => r.done)).then((results) => {
        ended = true;
        return results;
      });
      const deadline = Date.now() + RUN_LIMIT_MS;
      while (!ended && Date.now() < deadline) {
        await exchange(server);
        await sleep(EXCHANGE_INTERVAL_MS);
      }
      const liveResults = await all;
      const failures: string[] = [];
      live.forEach((command, at) => {
        const problem = verdict(command, liveResults[at]!);
        if (problem) failures.push(`${command.guides}: ${command.written}\n  ${problem}`);
      });
      for (const command of commands.filter((c) => !c.live)) {
        const file = command.args[command.args.indexOf("-r") + 1]!;
        const written = commands.some((c) => c.live && c.args.includes(file));
        if (!written) {
          failures.push(`${command.guides}: ${command.written}\n  reads a file no command writes`);
          continue;
        }
        if (!existsSync(file) || statSync(file).size === 0) {
          failures.push(`${command.guides}: ${command.written}\n  the capture it reads is empty`);
          continue;
        }
        const result = await start(command.args).done;
        const problem = verdict(command, result);
        if (problem) failures.push(`${command.guides}: ${command.written}\n  ${problem}`);
      }
      assert.equal(failures.join("\n\n"), "");
    } finally {
      for (const r of running) r.child.kill("SIGKILL");
      await Promise.all(running.map((r) => r.done));
      await server.close();
      spawnSync("rm", ["-rf", dir]);
    }
  });
});
