// A whole class in one command: client.ts --check --class FILE and udp.ts
// check --class FILE judge every student's server, give a row per student
// (unreachable with its reason, never "0 passed 0 failed"), --json, a CSV for
// the grade sheet, a self-contained HTML page, and --watch.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { type ClassVerdict, verdictOf } from "../../src/check/class_check.ts";
import { parseClassFile } from "../../src/cli/check/class_file.ts";
import { classFlags } from "../../src/cli/check/class_flags.ts";
import { classHtml } from "../../src/cli/check/class_html.ts";
import { classTableLines } from "../../src/cli/check/class_table.ts";
import { UsageError } from "../../src/errors/usage_error.ts";
import { closedPort } from "../helpers/net_fixtures.ts";
import { hasCommand, peerMissing } from "../helpers/peers.ts";
import {
  RunningScript,
  scriptCommand,
  type ScriptResult,
  startServer,
  startUdpServer,
} from "../helpers/scripts.ts";
import { StudentGallery } from "../helpers/student_servers.ts";

const noPython = peerMissing("python3", "python3");
const SPAWNS = { timeout: 90_000 };
// Bounds a class run, so a check that hangs fails the test instead of hanging it.
const RUN_LIMIT_MS = 60_000;

/** A class run's JSON, as the issue specifies it. */
interface ClassReport {
  students: number;
  targets: {
    name: string;
    target: string;
    reachable: boolean;
    reason: string | null;
    passed: number;
    failed: number;
    notRun: number;
    checks: { name: string; status: string; hint?: string; note?: string }[];
  }[];
}

const folder = mkdtempSync(join(tmpdir(), "socklab-class-"));
after(() => rmSync(folder, { recursive: true, force: true }));

// The scripts as a teacher types them; Deno gets write access to the report's folder.
// English whatever the machine's locale: the tests read the table's words.
function startClassRun(script: string, args: string[]): RunningScript {
  const [command, argv] = scriptCommand(script, [...args, "--lang", "en"]);
  const run = argv[0] === "run" ? ["run", `--allow-write=${folder}`, ...argv.slice(1)] : argv;
  return new RunningScript(command, run);
}

async function runClass(script: string, args: string[]): Promise<ScriptResult> {
  const running = startClassRun(script, args);
  const timer = setTimeout(() => running.child.kill("SIGKILL"), RUN_LIMIT_MS);
  running.child.stdin!.end();
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

function classFile(name: string, lines: string[]): string {
  const path = join(folder, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

function student(report: ClassReport, name: string): ClassReport["targets"][number] {
  const found = report.targets.find((target) => target.name === name);
  if (!found) throw new Error(`no student ${name} in ${JSON.stringify(report)}`);
  return found;
}

function failedChecks(target: ClassReport["targets"][number]): string[] {
  return target.checks.filter((check) => check.status === "failed").map((check) => check.name);
}

function parseJson(result: ScriptResult): ClassReport {
  try {
    return JSON.parse(result.stdout) as ClassReport;
  } catch {
    throw new Error(`not one JSON object: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

describe("the class file", () => {
  test("names may hold spaces; the address is the last field; the port defaults", () => {
    const entries = parseClassFile(
      [
        "# lab 3, room B",
        "",
        "Budi Santoso   10.0.0.11:9001",
        "  Siti Nur Aisyah 10.0.0.12   # front row",
        "Ani [::1]:9002",
        "Dewi pc-dewi.local",
      ].join("\r\n"),
      9000,
      "class.txt",
    );
    assert.deepEqual(entries, [
      { name: "Budi Santoso", host: "10.0.0.11", port: 9001, line: 3 },
      { name: "Siti Nur Aisyah", host: "10.0.0.12", port: 9000, line: 4 },
      { name: "Ani", host: "::1", port: 9002, line: 5 },
      { name: "Dewi", host: "pc-dewi.local", port: 9000, line: 6 },
    ]);
  });

  test("a bad line is a usage error naming its line number", () => {
    assert.throws(
      () => parseClassFile("Budi 10.0.0.11\n\n10.0.0.12\n", 9000, "class.txt"),
      (error) =>
        error instanceof UsageError && /^class\.txt line 3: give a name, then HOST/.test(
          error.message,
        ),
    );
    assert.throws(
      () => parseClassFile("# header\nBudi 10.0.0.11:99999\n", 9000, "class.txt"),
      (error) => error instanceof UsageError && /^class\.txt line 2: /.test(error.message),
    );
    assert.throws(
      () => parseClassFile("# nobody yet\n\n", 9000, "class.txt"),
      (error) => error instanceof UsageError && /lists no student/.test(error.message),
    );
  });

  test("--report takes .html, .csv or .json; the class flags need --class", () => {
    assert.deepEqual(classFlags({ class: "c.txt", report: "out/Class.HTML" })?.report, {
      path: "out/Class.HTML",
      format: "html",
    });
    assert.equal(classFlags({ class: "c.txt" })?.parallel, 8);
    assert.throws(() => classFlags({ class: "c.txt", report: "class.txt" }), /--report writes/);
    assert.throws(() => classFlags({ class: "c.txt", parallel: "0" }), /--parallel must be/);
    assert.throws(() => classFlags({ watch: "5s" }), /--watch only applies with --class/);
  });
});

describe("the class renderers", () => {
  const checks = ["reply", "crosstalk"].map((name) => ({
    name,
    about: `what ${name} asks`,
    status: "passed" as const,
    detail: "ok",
    sent: ["<b>hi</b>\\n"],
    received: ["<b>hi</b>\\n"],
  }));
  const verdict: ClassVerdict = {
    startedAt: 0,
    endedAt: 1500,
    targets: [
      verdictOf({ name: "<Ana & Bo>", host: "127.0.0.1", port: 9000, line: 1 }, {
        about: { target: "127.0.0.1:9000", protocol: "tcp", expect: "any" },
        result: { checks },
      }),
      verdictOf({ name: "Citra", host: "127.0.0.1", port: 9001, line: 2 }, {
        about: { target: "127.0.0.1:9001", protocol: "tcp", expect: "any" },
        result: {
          error: "connection refused",
          errorCode: "TIMED_OUT",
          checks: checks.map((check) => ({ ...check, status: "not run" as const, sent: [] })),
        },
      }),
    ],
  };

  test("the HTML page escapes names and evidence and reloads itself only while watching", () => {
    const page = classHtml(verdict);
    assert.match(page, /&lt;Ana &amp; Bo&gt;/);
    assert.match(page, /&lt;b&gt;hi&lt;\/b&gt;/);
    assert.doesNotMatch(page, /<b>hi/);
    assert.doesNotMatch(page, /http-equiv="refresh"/);
    assert.match(classHtml(verdict, 30), /<meta http-equiv="refresh" content="30">/);
  });

  test("the table says why a server was not reached, never 0 passed 0 failed", () => {
    const lines = classTableLines(verdict);
    assert.match(lines[1]!, /^<Ana & Bo> +127\.0\.0\.1:9000 +pass +pass +2\/2 passed$/);
    assert.match(lines[2]!, /^Citra +127\.0\.0\.1:9001 +- +- +unreachable \(timeout\)$/);
    assert.equal(
      lines.at(-1),
      "class: 1 of 2 passed every check, 0 with failures, 1 unreachable (1.5 s)",
    );
  });
});

describe("client.ts --check --class judges every student's server", { skip: noPython }, () => {
  const gallery = new StudentGallery();
  let good: Awaited<ReturnType<typeof startServer>> | undefined;
  let upper: Awaited<ReturnType<typeof startServer>> | undefined;
  before(async () => {
    gallery.start(["global_conn", "broadcaster", "kept_newline", "bytes_upper"]);
    good = await startServer("server.ts", ["--port", "0"]);
    upper = await startServer("server.ts", ["--port", "0", "--mode", "upper"]);
  });
  after(async () => {
    await gallery.stopAll();
    await good?.server.kill();
    await upper?.server.kill();
  });

  test(
    "--json and an HTML report: a row per student, the unreachable one with its reason",
    SPAWNS,
    async () => {
      const gone = await closedPort();
      const port = async (name: string) => (await gallery.started(name)).port;
      const file = classFile("tcp.txt", [
        "# lab 3",
        `Budi Santoso 127.0.0.1:${good!.port}`,
        `Gita Global 127.0.0.1:${await port("global_conn")}`,
        `Bayu Broadcast 127.0.0.1:${await port("broadcaster")}`,
        `Kiki Newline 127.0.0.1:${await port("kept_newline")}`,
        `Umi Bytes 127.0.0.1:${await port("bytes_upper")}`,
        `Citra Absent 127.0.0.1:${gone}`,
      ]);
      const page = join(folder, "class.html");
      const result = await runClass("client.ts", [
        "--check",
        "--class",
        file,
        "--json",
        "--timeout",
        "2",
        "--report",
        page,
      ]);
      assert.equal(result.code, 1, result.stderr);
      const report = parseJson(result);
      assert.deepEqual(report.targets.map((t) => t.name), [
        "Budi Santoso",
        "Gita Global",
        "Bayu Broadcast",
        "Kiki Newline",
        "Umi Bytes",
        "Citra Absent",
      ]);
      const budi = student(report, "Budi Santoso");
      assert.deepEqual([budi.reachable, budi.failed, budi.notRun], [true, 0, 0]);
      assert.ok(budi.passed >= 10, `${budi.passed}`);
      assert.deepEqual(failedChecks(student(report, "Gita Global")), ["crosstalk"]);
      assert.match(
        student(report, "Gita Global").checks.find((c) => c.name === "crosstalk")?.hint ?? "",
        /not a shared variable/,
      );
      assert.deepEqual(failedChecks(student(report, "Bayu Broadcast")), ["crosstalk"]);
      assert.deepEqual(failedChecks(student(report, "Kiki Newline")), ["reply"]);
      assert.match(
        student(report, "Kiki Newline").checks[0]?.hint ?? "",
        /request's newline.*strip it first/,
      );
      assert.equal(student(report, "Umi Bytes").failed, 0);
      const absent = student(report, "Citra Absent");
      assert.deepEqual(
        [absent.reachable, absent.reason, absent.passed, absent.failed],
        [false, "refused", 0, 0],
      );
      assert.equal(absent.target, `127.0.0.1:${gone}`);

      const html = readFileSync(page, "utf8");
      assert.doesNotMatch(html, /<script|https?:\/\/|<link /i, "the page fetches and runs nothing");
      assert.match(html, /<td><a href="#student-2">Gita Global<\/a><\/td>/);
      assert.match(html, /<section id="student-2">/);
      assert.match(html, /unreachable \(refused\)/);
      assert.doesNotMatch(html, /http-equiv="refresh"/, "only a watched page reloads itself");
      renderedTableMatches(page);
    },
  );

  test("the table and the CSV for the grade sheet, with --expect upper", SPAWNS, async () => {
    const gone = await closedPort();
    const bytes = (await gallery.started("bytes_upper")).port;
    const file = classFile("upper.txt", [
      `Umi Bytes 127.0.0.1:${bytes}`,
      `Ulfa "Upper", Jr 127.0.0.1:${upper!.port}`,
      `Citra Absent 127.0.0.1:${gone}`,
    ]);
    const sheet = join(folder, "grades.csv");
    const result = await runClass("client.ts", [
      "--check",
      "--class",
      file,
      "--expect",
      "upper",
      "--report",
      sheet,
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^student +server +reply +reconnect .* total$/m);
    assert.match(result.stdout, /^Umi Bytes +127\.0\.0\.1:\d+ +pass +pass .* (\d+)\/\1 passed$/m);
    assert.match(
      result.stdout,
      /^Citra Absent +127\.0\.0\.1:\d+ +- +- .* unreachable \(refused\)$/m,
    );
    assert.match(
      result.stdout,
      /^class: 2 of 3 passed every check, 0 with failures, 1 unreachable/m,
    );
    assert.doesNotMatch(result.stdout, /0 passed, 0 failed/);

    const rows = readFileSync(sheet, "utf8").trimEnd().split("\r\n");
    assert.equal(rows.length, 4, rows.join("\n"));
    assert.match(
      rows[0]!,
      /^"name","target","reachable","reason","passed","failed","not run","reply",/,
    );
    assert.match(rows[1]!, /^"Umi Bytes","127\.0\.0\.1:\d+","yes","","\d+","0","0","pass",/);
    assert.match(rows[2]!, /^"Ulfa ""Upper"", Jr","127\.0\.0\.1:\d+","yes","","\d+","0","0",/);
    assert.match(
      rows[3]!,
      /^"Citra Absent","127\.0\.0\.1:\d+","no","refused","0","0","\d+","unreachable",/,
    );
  });

  test("a bad class file line is a usage error naming the line", SPAWNS, async () => {
    const file = classFile("bad.txt", ["Budi 127.0.0.1:9000", "lonely"]);
    const result = await runClass("client.ts", ["--check", "--class", file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /bad\.txt line 2: give a name, then HOST\[:PORT\]/);
  });
});

describe("udp.ts check --class judges every student's UDP server", { skip: noPython }, () => {
  const gallery = new StudentGallery();
  let good: Awaited<ReturnType<typeof startUdpServer>> | undefined;
  before(async () => {
    gallery.start(["udp_broadcast", "udp_bytes_upper"]);
    good = await startUdpServer([]);
  });
  after(async () => {
    await gallery.stopAll();
    await good?.server.kill();
  });

  test(
    "--json: the broadcaster fails two-clients, a closed port is unreachable",
    SPAWNS,
    async () => {
      const gone = await closedPort();
      const file = classFile("udp.txt", [
        `Budi Santoso 127.0.0.1:${good!.port}`,
        `Bayu Broadcast 127.0.0.1:${(await gallery.started("udp_broadcast")).port}`,
        `Umi Bytes 127.0.0.1:${(await gallery.started("udp_bytes_upper")).port}`,
        `Citra Absent 127.0.0.1:${gone}`,
      ]);
      const result = await runClass("udp.ts", ["check", "--class", file, "--json", "-t", "500ms"]);
      assert.equal(result.code, 1, result.stderr);
      const report = parseJson(result);
      assert.equal(report.students, 4);
      assert.deepEqual(
        [student(report, "Budi Santoso").reachable, student(report, "Budi Santoso").failed],
        [true, 0],
      );
      assert.deepEqual(failedChecks(student(report, "Bayu Broadcast")), ["two-clients"]);
      assert.equal(student(report, "Umi Bytes").failed, 0);
      const absent = student(report, "Citra Absent");
      assert.equal(absent.reachable, false);
      // Bun hears the ICMP port unreachable; Deno hears nothing and waits out the reply.
      assert.match(absent.reason ?? "", /^(refused|timeout)$/);
    },
  );
});

describe("client.ts --check --class --watch", () => {
  test("turns a student's row to pass once their server starts", SPAWNS, async () => {
    const port = await closedPort();
    const file = classFile("watch.txt", [`Wawan Late 127.0.0.1:${port}`]);
    const report = join(folder, "watch.json");
    const watcher = startClassRun("client.ts", [
      "--check",
      "--class",
      file,
      "--watch",
      "1s",
      "--report",
      report,
    ]);
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      await watcher.waitFor(/unreachable \(refused\)/, { timeoutMs: 30_000 });
      const first = JSON.parse(readFileSync(report, "utf8")) as ClassReport;
      assert.equal(first.targets[0]?.reason, "refused");
      server = await startServer("server.ts", ["--port", String(port)]);
      await watcher.waitFor(/^class: every student passed every check/m, { timeoutMs: 60_000 });
      const fixed = JSON.parse(readFileSync(report, "utf8")) as ClassReport;
      assert.deepEqual([fixed.targets[0]?.reachable, fixed.targets[0]?.failed], [true, 0]);
      const ended = await watcher.stop("SIGINT");
      assert.equal(ended.code, 0, ended.stderr);
    } finally {
      await watcher.kill();
      await server?.server.kill();
    }
  });
});

describe("client.ts --check --class --watch and Ctrl-C", { skip: noPython }, () => {
  const gallery = new StudentGallery();
  before(() => gallery.start(["never_replies"]));
  after(() => gallery.stopAll());

  test(
    "Ctrl-C during a round ends with the last whole table and its exit status",
    SPAWNS,
    async () => {
      const { port } = await gallery.started("never_replies");
      const file = classFile("silent.txt", [`Sari Silent 127.0.0.1:${port}`]);
      const watcher = startClassRun("client.ts", [
        "--check",
        "--class",
        file,
        "--watch",
        "1s",
        "--timeout",
        "2",
      ]);
      try {
        await watcher.waitFor(/^class: 0 of 1 passed every check/m, { timeoutMs: 30_000 });
        // The next round waits 2 s for a reply that never comes: this lands in the pause or in it.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const ended = await watcher.stop("SIGINT");
        assert.equal(ended.code, 1, ended.stderr);
        assert.equal(ended.stdout.match(/^class: /gm)?.length, 1, ended.stdout);
        assert.match(ended.stdout, /^Sari Silent +127\.0\.0\.1:\d+ +FAIL +skip .* 0\/\d+ passed$/m);
      } finally {
        await watcher.kill();
      }
    },
  );
});

// The page as a browser builds it: Debian's chromium, headless. The page holds no script
// (asserted above), so this is also what a browser with scripts off shows.
function renderedTableMatches(page: string): void {
  if (!hasCommand("chromium")) {
    if (process.env.SOCKLAB_REQUIRE_PEERS === "1") throw new Error("chromium is not installed");
    return;
  }
  const profile = mkdtempSync(join(tmpdir(), "socklab-chromium-"));
  try {
    const rendered = spawnSync("chromium", [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      "--dump-dom",
      `file://${page}`,
    ], { encoding: "utf8", timeout: 60_000 });
    assert.equal(rendered.status, 0, rendered.stderr);
    const rows = [...rendered.stdout.matchAll(/<tr class="(\w+)">(.*?)<\/tr>/g)].map((row) =>
      [...row[2]!.matchAll(/<td[^>]*>(?:<a [^>]*>)?(.*?)(?:<\/a>)?<\/td>/g)].map((cell) => cell[1])
    );
    assert.equal(rows.length, 6, rendered.stdout.slice(0, 2000));
    assert.equal(rows[1]?.[0], "Gita Global");
    const [, passed, all] = /^(\d+)\/(\d+) passed$/.exec(rows[1]?.at(-1) ?? "") ?? [];
    assert.equal(Number(passed), Number(all) - 1, `${rows[1]}`);
    assert.deepEqual(rows[0]?.slice(2, -1).filter((cell) => cell !== "pass"), []);
    assert.equal(rows[5]?.at(-1), "unreachable (refused)");
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
