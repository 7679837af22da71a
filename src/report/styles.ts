/** The report's only stylesheet, inline: system fonts, nothing fetched. */
export const STYLES = `
:root { --ok: #1f8a4c; --warn: #c76a00; --bad: #c62828; --muted: #5f6b7a; --line: #e3e7ec; --card: #fff; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f6f8; color: #1c2430; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 40px; }
header h1 { font-size: 22px; margin: 0 0 2px; }
header p { margin: 0; color: var(--muted); }
.verdict { display: flex; gap: 16px; align-items: flex-start; margin: 18px 0; padding: 14px 18px; border-radius: 10px; color: #fff; }
.verdict.ok { background: var(--ok); } .verdict.warn { background: var(--warn); } .verdict.bad { background: var(--bad); } .verdict.empty { background: #56616e; }
.verdict strong { font-size: 20px; white-space: nowrap; min-width: 150px; }
.verdict ul { margin: 0; padding-left: 18px; font-size: 15px; }
.tiles { display: grid; grid-template-columns: repeat(6, 1fr); gap: 12px; margin-bottom: 18px; }
.tile { background: var(--card); border: 1px solid var(--line); border-left: 5px solid #8a96a3; border-radius: 8px; padding: 10px 12px; }
.tile.ok { border-left-color: var(--ok); } .tile.warn { border-left-color: var(--warn); } .tile.bad { border-left-color: var(--bad); }
.tile .name { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.tile .value { font-size: 24px; font-weight: 650; margin: 2px 0; white-space: nowrap; }
.tile .sub { color: var(--muted); font-size: 12px; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; break-inside: avoid; }
section.card h2 { font-size: 15px; margin: 0 0 8px; }
.grid section.card { margin-bottom: 0; }
.grid.top { align-items: start; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 0; margin: 6px 0 0; font-size: 12px; color: var(--muted); }
.legend span { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.empty-chart { color: var(--muted); padding: 40px 0; text-align: center; }
svg .grid { stroke: var(--line); } svg .tick { fill: var(--muted); font-size: 11px; } svg .label { fill: #1c2430; font-size: 12px; } svg .value { fill: var(--muted); font-size: 12px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 5px 8px; }
td { border-bottom: 1px solid var(--line); padding: 5px 8px; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.bad { color: var(--bad); font-weight: 600; } td.warn { color: var(--warn); font-weight: 600; } td.ok { color: var(--ok); }
td.id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
.note { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
@media (max-width: 900px) { .tiles { grid-template-columns: repeat(2, 1fr); } .grid { grid-template-columns: 1fr; } }
`;
