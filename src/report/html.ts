import { escapeHtml, formatTime } from './format';
import type { ReportData } from './model';
import { closedChart, durationChart, failuresChart, firesChart, openChart } from './sections/charts';
import { header, tiles, verdictBanner } from './sections/overview';
import { freshnessTable, oldestOpenTable, scheduleTables, typesTable } from './sections/tables';
import { STYLES } from './styles';
import { judge } from './verdict';

/**
 * The whole report as one HTML document: inline CSS and SVG, no script, nothing fetched, so it
 * opens the same from a mail attachment, a CI artifact or a file on a laptop without network.
 */
export function renderReport(data: ReportData): string {
  const body = [
    header(data),
    verdictBanner(judge(data)),
    tiles(data),
    `<div class="grid">${closedChart(data)}${failuresChart(data)}</div>`,
    `<div class="grid" style="margin-top:16px">${durationChart(data)}${openChart(data)}</div>`,
    `<div style="margin-top:16px">${typesTable(data)}${oldestOpenTable(data)}</div>`,
    `<div class="grid top">${firesChart(data)}<div>${scheduleTables(data)}</div></div>`,
    freshnessTable(data),
    `<footer>temporal-sync <code>npm run report</code> · schema ${escapeHtml(data.schema)} · ${formatTime(data.generatedAt)}. ` +
      'Buckets are UTC hours or days. What every number counts: docs/analytics.md in the temporal-sync repository.</footer>',
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(`Temporal namespace ${data.namespace}: health report`)}</title>
<style>${STYLES}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}
