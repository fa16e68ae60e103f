import {
  type Catalogue,
  type CheckResult,
  type ClassVerdict,
  EN,
  say,
  type TargetVerdict,
} from "../../check/mod.ts";
import { CELL, cellWord, checkColumns, classLine, totalText } from "./class_table.ts";
import { resultText } from "./report.ts";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "\"": "&quot;",
  "'": "&#39;",
};

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

// Colour only repeats what the cell's word says, so the page reads in black and white too.
const STYLE = `
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#111;background:#fff}
table{border-collapse:collapse;font-size:1.05rem}
th,td{border:1px solid #999;padding:.3rem .55rem;text-align:left}
th{background:#eee}
td.pass{background:#c8f0c8}td.fail{background:#f7c4c4;font-weight:bold}
td.skip,td.unreachable{background:#f0f0f0;color:#555}
tr.unreachable td.total{background:#f7c4c4;font-weight:bold}
.card{border:1px solid #bbb;margin:.4rem 0;padding:.4rem .6rem}
.card.fail{border-left:.5rem solid #c33}.card.pass{border-left:.5rem solid #3a3}
.card.skip{border-left:.5rem solid #999}
.card pre{margin:.15rem 0;white-space:pre-wrap;word-break:break-all}
dl{display:grid;grid-template-columns:6.5rem 1fr;gap:.1rem .5rem;margin:.3rem 0}
dt{font-weight:bold}dd{margin:0}
`;

// Style classes are identifiers: the same whatever language the page is in.
function cardClass(status: CheckResult["status"]): string {
  return CELL[status].toLowerCase();
}

function field(label: string, values: readonly string[] | string | undefined): string {
  const list = values === undefined ? [] : typeof values === "string" ? [values] : values;
  return list.map((value) => `<dt>${label}</dt><dd><pre>${html(value)}</pre></dd>`).join("");
}

function card(check: CheckResult, words: Catalogue): string {
  const { label } = words;
  const result = resultText(check, words);
  const evidence = check.status === "not run"
    ? ""
    : field(label.sent, check.sent) + field(label.received, check.received);
  const head = `<strong>${html(cellWord(check.status, words))} ${html(check.name)}</strong> ${
    html(check.about)
  }`;
  if (check.status !== "failed") {
    // A pass keeps its bytes one click away, so the failures stand out on the page.
    const shown = evidence
      && `<details><summary>${
        html(words.html.sentAndReceived)
      }</summary><dl>${evidence}</dl></details>`;
    return `<div class="card ${cardClass(check.status)}">${head}<dl>${field(label.result, result)}${
      field(label.note, check.note)
    }</dl>${shown}</div>`;
  }
  return `<div class="card fail">${head}<dl>${field(label.result, result)}${evidence}${
    field(label.expected, check.expected)
  }${field(label.why, check.hint)}</dl></div>`;
}

function anchor(index: number): string {
  return `student-${index + 1}`;
}

function row(target: TargetVerdict, index: number, words: Catalogue): string {
  const cells = target.judged.result.checks.map((check) =>
    target.reachable
      ? `<td class="${cardClass(check.status)}">${html(cellWord(check.status, words))}</td>`
      : `<td class="unreachable">-</td>`
  ).join("");
  return `<tr class="${target.reachable ? "reachable" : "unreachable"}"><td><a href="#${
    anchor(index)
  }">${html(target.entry.name)}</a></td><td>${
    html(target.judged.about.target)
  }</td>${cells}<td class="total">${html(totalText(target, words))}</td></tr>`;
}

function section(target: TargetVerdict, index: number, words: Catalogue): string {
  const error = target.judged.result.error
    ? `<p><strong>${html(words.html.cannotCheck)}</strong> ${html(target.judged.result.error)}</p>`
    : "";
  return `<section id="${anchor(index)}"><h2>${html(target.entry.name)} <small>${
    html(target.judged.about.target)
  } &middot; ${html(totalText(target, words))}</small></h2>${error}${
    target.judged.result.checks.map((check) => card(check, words)).join("")
  }<p><a href="#class">${html(words.html.backToClass)}</a></p></section>`;
}

/**
 * The class as one self-contained HTML page: the table, then each student's
 * cards one link away. Nothing is fetched and no script runs.
 * @param reloadSeconds While watching, the page reloads itself this often.
 */
export function classHtml(
  verdict: ClassVerdict,
  reloadSeconds?: number,
  words: Catalogue = EN,
): string {
  const first = verdict.targets[0]?.judged.about;
  const title = say(words.html.title, {
    protocol: first?.protocol ?? "tcp",
    expect: first?.expect ?? "any",
  });
  const { table } = words;
  const reload = reloadSeconds === undefined
    ? ""
    : `<meta http-equiv="refresh" content="${Math.max(1, Math.round(reloadSeconds))}">`;
  const head = checkColumns(verdict).map((name) => `<th>${html(name)}</th>`).join("");
  return `<!DOCTYPE html>
<html lang="${html(words.meta.htmlLang)}"><head><meta charset="utf-8">${reload}
<title>${html(title)}</title><style>${STYLE}</style></head>
<body><h1 id="class">${html(title)}</h1>
<p>${html(say(words.html.checkedAt, { time: new Date(verdict.endedAt).toISOString() }))} ${
    html(classLine(verdict, words))
  }</p>
<table><thead><tr><th>${html(table.student)}</th><th>${html(table.server)}</th>${head}<th>${
    html(table.total)
  }</th></tr></thead>
<tbody>${
    verdict.targets.map((target, index) => row(target, index, words)).join("\n")
  }</tbody></table>
<p>${html(table.legend)}.
${html(words.html.clickName)}</p>
${verdict.targets.map((target, index) => section(target, index, words)).join("\n")}
</body></html>
`;
}
