import { escapeHtml } from '../format';
import { CHART_WIDTH, niceCeiling, svgOpen } from './axis';

export interface HBar {
  label: string;
  value: number;
  color: string;
}

/** One horizontal bar per item, its label on the left and its value at the end. */
export function horizontalBars(input: { label: string; items: HBar[]; format: (value: number) => string }): string {
  const row = 28;
  const labelWidth = 150;
  const valueWidth = 70;
  const height = input.items.length * row + 8;
  const max = niceCeiling(Math.max(0, ...input.items.map((item) => item.value)));
  const barSpace = CHART_WIDTH - labelWidth - valueWidth;
  const rows = input.items.map((item, i) => {
    const y = 4 + i * row;
    const width = Math.max(item.value > 0 ? 2 : 0, (item.value / max) * barSpace);
    return (
      `<text x="${labelWidth - 8}" y="${y + 18}" class="label" text-anchor="end">${escapeHtml(item.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 4}" width="${width.toFixed(2)}" height="${row - 8}" rx="3" fill="${item.color}" ` +
      `data-series="${escapeHtml(item.label)}" data-value="${item.value}"><title>${escapeHtml(`${item.label}: ${input.format(item.value)}`)}</title></rect>` +
      `<text x="${labelWidth + width + 6}" y="${y + 18}" class="value">${escapeHtml(input.format(item.value))}</text>`
    );
  });
  return svgOpen(height, escapeHtml(input.label)) + rows.join('') + '</svg>';
}
