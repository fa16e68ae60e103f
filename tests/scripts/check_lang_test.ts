// Issue 23, part 3: the checker's cards in Bahasa Indonesia. Both catalogues
// are walked side by side (every text present, translated, with the same
// placeholders); then the real scripts speak Indonesian with --lang id or an
// Indonesian locale, with the same verdicts as in English, and refuse a
// language they do not have.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { CheckResult } from "../../src/check/battery.ts";
import { type ClassVerdict, verdictOf } from "../../src/check/class_check.ts";
import { EN } from "../../src/check/lang/en.ts";
import { ID } from "../../src/check/lang/id.ts";
import { langFromLocale } from "../../src/check/lang/locale.ts";
import { classHtml } from "../../src/cli/check/class_html.ts";
import { classTableLines } from "../../src/cli/check/class_table.ts";
import {
  type RunningScript,
  runScript,
  type ScriptResult,
  startServer,
  startUdpServer,
  stdoutJson,
} from "../helpers/scripts.ts";
import type { CheckReport } from "../helpers/student_servers.ts";

const SPAWNS = { timeout: 90_000 };
// Bounds each run, so a check that hangs fails the test instead of hanging it.
const RUN_LIMIT_MS = 30_000;

// Texts that read the same in both languages: a unit, a protocol name or a
// word that Indonesian labs keep as it is (client, server, port, datagram,
// byte, total, timeout).
const SAME_IN_BOTH = new Set([
  "evidence.client",
  "evidence.udpClient",
  "evidence.fin",
  "noun.datagram",
  "reason.timeout",
  "reason.tls",
  "reason.error",
  "table.server",
  "table.total",
  "wire.hex",
  "wire.oneByte",
]);

type Texts = Record<string, Record<string, string>>;

function entries(catalogue: Texts): [string, string][] {
  return Object.entries(catalogue).flatMap(([group, texts]) =>
    Object.entries(texts).map(([key, text]): [string, string] => [`${group}.${key}`, text])
  );
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();
}

describe("the checker's catalogues, English and Indonesian side by side", () => {
  const en = new Map(entries(EN as unknown as Texts));
  const id = new Map(entries(ID as unknown as Texts));

  test("every text is in both, non-empty, with the same placeholders", () => {
    assert.ok(en.size > 100, `only ${en.size} texts in English`);
    assert.deepEqual([...id.keys()].sort(), [...en.keys()].sort());
    for (const [key, english] of en) {
      const indonesian = id.get(key)!;
      assert.ok(english.trim().length > 0, `${key} is empty in English`);
      assert.ok(indonesian.trim().length > 0, `${key} is empty in Indonesian`);
      assert.deepEqual(placeholders(indonesian), placeholders(english), `placeholders of ${key}`);
    }
  });

  test("every text but a few identifiers is translated, every hint included", () => {
    const untranslated = [...en].filter(([key, english]) =>
      !SAME_IN_BOTH.has(key) && id.get(key) === english
    ).map(([key]) => key);
    assert.deepEqual(untranslated, []);
    const hints = [...en.keys()].filter((key) => /^(hint|udpHint)\./.test(key));
    assert.ok(hints.length >= 25, `only ${hints.length} hints`);
    for (const key of hints) assert.notEqual(id.get(key), en.get(key), key);
  });

  test("the locale picks the language: LC_ALL, then LC_MESSAGES, then LANG", () => {
    assert.equal(langFromLocale({ LANG: "id_ID.UTF-8" }, "en-US"), "id");
    assert.equal(langFromLocale({ LANG: "en_US.UTF-8" }, "en-US"), "en");
    assert.equal(langFromLocale({ LC_ALL: "C", LANG: "id_ID.UTF-8" }, "en-US"), "en");
    assert.equal(langFromLocale({ LC_MESSAGES: "id_ID", LANG: "en_US" }, "en-US"), "id");
    assert.equal(langFromLocale({ LANG: "" }, "id-ID"), "id");
    assert.equal(langFromLocale({}, "en-US"), "en");
    assert.equal(langFromLocale({ LANG: "fr_FR.UTF-8" }, "id-ID"), "en");
  });
});

describe("the class table and page in Indonesian", () => {
  const checks: CheckResult[] = [
    { name: "reply", about: "x", status: "passed", detail: "ok", sent: [], received: [] },
    { name: "large", about: "x", status: "failed", detail: "no", sent: [], received: [] },
  ];
  const verdict: ClassVerdict = {
    startedAt: 0,
    endedAt: 2000,
    targets: [
      verdictOf({ name: "Budi", host: "127.0.0.1", port: 9000, line: 1 }, {
        about: { target: "127.0.0.1:9000", protocol: "tcp", expect: "any" },
        result: { checks },
      }),
    ],
  };

  test("the table's headers, cells, total and class line follow the catalogue", () => {
    const lines = classTableLines(verdict, ID);
    assert.match(lines[0]!, /^mahasiswa +server +reply +large +total$/);
    assert.match(lines[1]!, /^Budi +127\.0\.0\.1:9000 +lulus +GAGAL +1\/2 lulus$/);
    assert.match(lines.at(-1)!, /^kelas: 0 dari 1 lulus semua pemeriksaan/);
  });

  test("the page says lang=\"id\" and shows Indonesian labels", () => {
    const page = classHtml(verdict, undefined, ID);
    assert.match(page, /<html lang="id">/);
    assert.match(page, /<th>mahasiswa<\/th>/);
    assert.match(page, /<dt>hasil<\/dt>/);
    assert.doesNotMatch(page, /<th>student<\/th>/);
  });
});

describe("the scripts speak the language asked for", () => {
  let tcp: { server: RunningScript; port: number } | undefined;
  let udp: { server: RunningScript; port: number } | undefined;
  before(async () => {
    // Upper case where --expect echo asks for the message back: reply fails, the rest needs it.
    tcp = await startServer("server.ts", ["--port", "0", "--mode", "upper"]);
    udp = await startUdpServer([]);
  });
  after(async () => {
    await tcp?.server.kill();
    await udp?.server.kill();
  });

  function tcpCheck(...args: string[]): Promise<ScriptResult> {
    const target = ["--check", "--port", String(tcp!.port), "--expect", "echo", "-t", "1"];
    return runScript("client.ts", [...target, ...args], { timeoutMs: RUN_LIMIT_MS });
  }

  test(
    "--lang id: Indonesian card, hint and summary; the same verdicts as --lang en",
    SPAWNS,
    async () => {
      const card = await tcpCheck("--lang", "id");
      assert.equal(card.code, 1, card.stderr);
      assert.match(card.stdout, /^GAGAL +reply +satu pesan mendapat satu balasan$/m);
      assert.match(card.stdout, /^ +diharapkan: +"socklab check reply\\n"/m);
      assert.match(card.stdout, /^ +sebab: +balasan server Anda tidak sesuai dengan --expect/m);
      assert.match(card.stdout, /^DILEWATI +reconnect /m);
      assert.match(card.stdout, /^0 lulus, 1 gagal, 9 tidak dijalankan/m);
      assert.doesNotMatch(card.stdout, /\bwhy:|\bresult:|\bnot run\b/);
      const [english, indonesian] = await Promise.all([
        tcpCheck("--lang", "en", "--json"),
        tcpCheck("--lang", "id", "--json"),
      ]);
      const statuses = (result: ScriptResult) =>
        stdoutJson<CheckReport>(result).checks.map((check) => `${check.name} ${check.status}`);
      assert.deepEqual(statuses(indonesian), statuses(english));
      assert.equal(statuses(english)[0], "reply failed");
      const hintOf = (result: ScriptResult) => stdoutJson<CheckReport>(result).checks[0]!.hint;
      assert.match(hintOf(english) ?? "", /^your server's reply is not what --expect asks for/);
      assert.match(hintOf(indonesian) ?? "", /^balasan server Anda tidak sesuai/);
    },
  );

  test("LANG=id_ID.UTF-8 and no --lang: udp.ts check speaks Indonesian", SPAWNS, async () => {
    // An empty LC_ALL and LC_MESSAGES count as unset, as in the C library.
    const env = { LANG: "id_ID.UTF-8", LC_ALL: "", LC_MESSAGES: "" };
    const args = ["check", "--port", String(udp!.port), "--expect", "upper", "-t", "500ms"];
    const result = await runScript("udp.ts", args, { timeoutMs: RUN_LIMIT_MS, env });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /^GAGAL +reply +satu datagram mendapat satu balasan/m);
    assert.match(result.stdout, /^ +sebab: +balasan server Anda tidak sesuai dengan --expect/m);
  });

  test(
    "--lang xx is a usage error on both scripts: exit 2, one line naming the flag",
    SPAWNS,
    async () => {
      const [client, udpCheck] = await Promise.all([
        runScript("client.ts", ["--check", "--port", "9", "--lang", "xx"]),
        runScript("udp.ts", ["check", "--port", "9", "--lang", "xx"]),
      ]);
      for (const result of [client, udpCheck]) {
        assert.equal(result.code, 2, result.stderr);
        assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
        assert.match(result.stderr, /--lang .*\ben\b.*\bid\b|--lang .*\bid\b.*\ben\b/);
        assert.equal(result.stdout, "");
      }
    },
  );
});
