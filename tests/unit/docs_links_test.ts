// Every relative link in README.md and docs/*.md reaches a file that exists and, with `#anchor`, a
// heading in it (anchors as GitHub makes them); each lab guide's table of contents lists every `##`
// heading of that guide. A heading renamed without its links fails here.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { describe, test } from "node:test";

const ROOT = join(import.meta.dirname!, "../..");
const GUIDES = ["docs/lab.md", "docs/lab.id.md"];

/** README.md and every docs/*.md, by path from the project root. */
function readDocs(): Map<string, string> {
  const docs = new Map<string, string>();
  const names = [
    "README.md",
    ...readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) =>
      `docs/${name}`
    ),
  ];
  for (const name of names) docs.set(name, readFileSync(join(ROOT, name), "utf8"));
  return docs;
}

/** The text outside fenced code blocks, one entry per line (fenced lines become empty). */
function proseLines(text: string): string[] {
  let fence: string | undefined;
  return text.split("\n").map((line) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence === undefined) {
      if (opening) {
        fence = opening[1];
        return "";
      }
      return line;
    }
    if (opening && opening[1]!.startsWith(fence) && line.trim() === opening[1]) fence = undefined;
    return "";
  });
}

/** The anchor GitHub gives a heading: its text lower-cased, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1") // a link counts by its text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The headings of a Markdown text, in order, with their level. */
function headings(text: string): { level: number; text: string }[] {
  const found: { level: number; text: string }[] = [];
  for (const line of proseLines(text)) {
    const heading = /^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (heading) found.push({ level: heading[1]!.length, text: heading[2]! });
  }
  return found;
}

/** Every anchor a link can reach in a text: one per heading (repeats get -1, -2, ...), and HTML ids. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const heading of headings(text)) {
    const base = slug(heading.text);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  for (const match of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) result.add(match[1]!);
  return result;
}

/** The targets of a text's inline links outside code: `[text](target)`. */
function linkTargets(text: string): string[] {
  const prose = proseLines(text).join("\n").replace(/`[^`]*`/g, "code");
  return [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) =>
    match[1]!
  );
}

/** Each relative link of `docs` (path -> text) that misses its file or its anchor, as a sentence. */
function brokenLinks(docs: Map<string, string>): string[] {
  const broken: string[] = [];
  const anchorsOf = new Map<string, Set<string>>();
  for (const [from, text] of docs) {
    for (const target of linkTargets(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue;
      const hash = target.indexOf("#");
      const path = hash === -1 ? target : target.slice(0, hash);
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      const file = path === "" ? from : normalize(join(dirname(from), path)).replaceAll("\\", "/");
      const content = docs.get(file)
        ?? (existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file), "utf8") : undefined);
      if (content === undefined) {
        broken.push(`${from}: (${target}): no file ${file}`);
      } else if (
        anchor !== undefined && file.endsWith(".md")
        && !(anchorsOf.get(file) ?? anchorsOf.set(file, anchors(content)).get(file)!).has(anchor)
      ) {
        broken.push(`${from}: (${target}): no heading in ${file} has the anchor #${anchor}`);
      }
    }
  }
  return broken;
}

/** The `##` headings of a guide its table of contents (the links before the first `##`) leaves out. */
function missingFromContents(text: string): string[] {
  const lines = proseLines(text);
  const first = lines.findIndex((line) => /^##\s/.test(line));
  const listed = new Set(
    linkTargets(lines.slice(0, first).join("\n")).filter((target) => target.startsWith("#")).map((
      target,
    ) => target.slice(1)),
  );
  return headings(text).filter((heading) => heading.level === 2 && !listed.has(slug(heading.text)))
    .map((heading) => heading.text);
}

describe("documentation links", () => {
  test("anchors are made the way GitHub makes them", () => {
    assert.equal(
      slug("4. Send a request, read the response"),
      "4-send-a-request-read-the-response",
    );
    assert.equal(slug("2. Find the server's IP address"), "2-find-the-servers-ip-address");
    assert.equal(slug("Nagle's algorithm: `--nagle`"), "nagles-algorithm---nagle");
    assert.equal(
      slug("Latency without loss: `server.ts --delay`"),
      "latency-without-loss-serverts---delay",
    );
    assert.equal(anchors("# A\n## B\n```\n## C\n```\n## B\n").has("b-1"), true);
    assert.equal(anchors("# A\n## B\n```\n## C\n```\n## B\n").has("c"), false);
  });

  test("every relative link in README.md and docs/*.md reaches its file and its heading", () => {
    const docs = readDocs();
    assert.ok(
      docs.has("docs/reference.md") && docs.has("docs/reference.id.md"),
      "the reference pages exist",
    );
    assert.deepEqual(brokenLinks(docs), []);
  });

  test("a heading renamed without its links is caught", () => {
    const docs = readDocs();
    const guide = docs.get("docs/lab.md")!;
    assert.match(guide, /^### Test your own server$/m);
    docs.set(
      "docs/lab.md",
      guide.replace(/^### Test your own server$/m, "### Test a server of your own"),
    );
    assert.ok(brokenLinks(docs).some((line) => line.includes("#test-your-own-server")));
  });

  for (const guide of GUIDES) {
    test(`${guide}: the table of contents lists every ## heading`, () => {
      const text = readDocs().get(guide)!;
      assert.ok(
        headings(text).filter((heading) => heading.level === 2).length >= 10,
        "the guide has its sections",
      );
      assert.deepEqual(missingFromContents(text), []);
    });
  }
});
