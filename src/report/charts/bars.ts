import { escapeHtml } from '../format';
import { CHART_WIDTH, gridlines, MARGIN, niceCeiling, sparse, svgOpen, xLabels } from './axis';

export interface BarSeries {
  name: string;
  color: string;
  values: number[];
}

/**
 * Stacked bars, one per bucket, a segment per series. Each segment carries its numbers
 * (data-series, data-value) and a native tooltip, so nothing needs a script.
 */
export function stackedBars(input: {
  label: string;
  /** Each bucket's name, in tooltips. */
  buckets: string[];
  /** What to write under each bucket ('' for nothing); a few bucket names, evenly spread, when not given. */
  axisLabels?: string[];
  series: BarSeries[];
  format: (value: number) => string;
  height?: number;
}): string {
  const height = input.height ?? 220;
  const plotWidth = CHART_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const totals = input.buckets.map((_, i) => input.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = niceCeiling(Math.max(0, ...totals));
  const band = plotWidth / Math.max(input.buckets.length, 1);
  const barWidth = Math.max(1, band * 0.8);
  const rects: string[] = [];
  input.buckets.forEach((bucket, i) => {
    let top = MARGIN.top + plotHeight;
    for (const series of input.series) {
      const value = series.values[i] ?? 0;
      if (value <= 0) continue;
      const h = (value / max) * plotHeight;
      top -= h;
      rects.push(
        `<rect x="${(MARGIN.left + band * i + (band - barWidth) / 2).toFixed(2)}" y="${top.toFixed(2)}" ` +
          `width="${barWidth.toFixed(2)}" height="${h.toFixed(2)}" fill="${series.color}" ` +
          `data-series="${escapeHtml(series.name)}" data-value="${value}">` +
          `<title>${escapeHtml(`${bucket}: ${series.name} ${input.format(value)}`)}</title></rect>`,
      );
    }
  });
  return (
    svgOpen(height, escapeHtml(input.label)) +
    gridlines(max, height, input.format) +
    rects.join('') +
    xLabels((input.axisLabels ?? sparse(input.buckets)).map(escapeHtml), height) +
    '</svg>'
  );
}
