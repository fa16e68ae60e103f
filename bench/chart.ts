// Renders one run's headline figures as a self-contained SVG bar chart for the README.
import { type BenchResult, headline } from "./report.ts";

const COLORS: Record<string, string> = { socklab: "#2f6fdf", raw: "#9aa5b1", peer: "#e08a2e" };

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Returns an SVG with one panel of horizontal bars per workload. */
export function renderChart(results: BenchResult[], machine: Record<string, unknown>): string {
  const workloads = [...new Set(results.map((r) => r.workload))];
  const rowHeight = 18;
  const width = 760;
  const labelWidth = 190;
  const barWidth = 420;
  let y = 56;
  const parts: string[] = [];
  for (const workload of workloads) {
    const rows = results.filter((r) => r.workload === workload);
    const max = Math.max(...rows.map((r) => headline(r).value), 1e-9);
    const { unit, lowerIsBetter } = headline(rows[0]!);
    parts.push(
      `<text x="10" y="${y}" font-weight="bold">${escapeXml(workload)} (${unit}${
        lowerIsBetter ? ", lower is better" : ""
      })</text>`,
    );
    y += 8;
    for (const row of rows) {
      const { value } = headline(row);
      const w = Math.max(1, (value / max) * barWidth);
      parts.push(
        `<text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end">${
          escapeXml(row.server)
        }</text>`,
        `<rect x="${labelWidth}" y="${y + 2}" width="${w.toFixed(1)}" height="${
          rowHeight - 5
        }" fill="${COLORS[row.kind]}"/>`,
        `<text x="${labelWidth + w + 6}" y="${y + 13}">${
          value.toFixed(value < 100 ? 1 : 0)
        }</text>`,
      );
      y += rowHeight;
    }
    y += 22;
  }
  const title =
    `socklab benchmark: ${machine.cpu}, ${machine.cores} cores, ${machine.deno}, bun ${machine.bun}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>
<text x="10" y="38" fill="#555">${
    escapeXml(
      `${machine.date}; blue: socklab, grey: raw runtime echo (the limit), orange: other tools`,
    )
  }</text>
${parts.join("\n")}
</svg>
`;
}
