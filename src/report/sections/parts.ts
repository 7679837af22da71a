import { escapeHtml } from '../format';

/** Small HTML building blocks; every text that comes from data goes through escapeHtml. */

export const card = (id: string, title: string, body: string, note?: string) =>
  `<section class="card" id="${id}"><h2>${escapeHtml(title)}</h2>${body}${note ? `<p class="note">${escapeHtml(note)}</p>` : ''}</section>`;

export const figure = (chart: string, svg: string | null, legend = '') =>
  `<figure class="chart" data-chart="${chart}" style="margin:0">${svg ?? '<p class="empty-chart">No data in this window</p>'}${svg ? legend : ''}</figure>`;

export const legend = (items: Array<{ name: string; color: string }>) =>
  `<ul class="legend">${items.map((i) => `<li><span style="background:${i.color}"></span>${escapeHtml(i.name)}</li>`).join('')}</ul>`;

export interface Column<Row> {
  title: string;
  cell: (row: Row) => string;
  numeric?: boolean;
  /** A class for the cell (ok, warn, bad, id) from the row's value. */
  tone?: (row: Row) => string;
}

/** A table of rows; cells are already formatted text (escaped here). */
export function table<Row>(name: string, columns: Array<Column<Row>>, rows: Row[], empty: string): string {
  if (rows.length === 0) return `<p class="empty-chart" data-table="${name}">${escapeHtml(empty)}</p>`;
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.title)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${columns
          .map((c) => {
            const classes = [c.numeric ? 'num' : '', c.tone?.(row) ?? ''].filter(Boolean).join(' ');
            return `<td${classes ? ` class="${classes}"` : ''}>${escapeHtml(c.cell(row))}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  return `<table data-table="${name}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
