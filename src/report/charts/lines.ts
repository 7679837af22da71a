import { escapeHtml } from '../format';
import { CHART_WIDTH, gridlines, MARGIN, niceCeiling, sparse, svgOpen, xLabels } from './axis';

export interface LineSeries {
  name: string;
  color: string;
  values: Array<number | null>;
}

/** Lines over buckets; a bucket without a value breaks the line rather than drawing it down to zero. */
export function lineChart(input: {
  label: string;
  /** Each bucket's name, in tooltips. */
  buckets: string[];
  /** What to write under each bucket ('' for nothing); a few bucket names, evenly spread, when not given. */
  axisLabels?: string[];
  series: LineSeries[];
  format: (value: number) => string;
  /** Durations: the axis steps in whole units of this size (seconds per minute, ...), labelled with its name. */
  unit?: { unit: string; size: number };
  height?: number;
}): string {
  const height = input.height ?? 220;
  const plotWidth = CHART_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const all = input.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = niceCeiling(Math.max(0, ...all), input.unit?.size);
  const unit = input.unit;
  const tick = unit ? (v: number) => `${Number((v / unit.size).toFixed(2))} ${unit.unit}` : input.format;
  const band = plotWidth / Math.max(input.buckets.length, 1);
  const x = (i: number) => (MARGIN.left + band * i + band / 2).toFixed(2);
  const y = (v: number) => (MARGIN.top + plotHeight - (v / max) * plotHeight).toFixed(2);
  const shapes: string[] = [];
  for (const series of input.series) {
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1)
        shapes.push(`<polyline points="${run.join(' ')}" fill="none" stroke="${series.color}" stroke-width="2"/>`);
      run = [];
    };
    series.values.forEach((value, i) => {
      if (value === null) return flush();
      run.push(`${x(i)},${y(value)}`);
      shapes.push(
        `<circle cx="${x(i)}" cy="${y(value)}" r="2.5" fill="${series.color}" data-series="${escapeHtml(series.name)}" ` +
          `data-value="${value}"><title>${escapeHtml(`${input.buckets[i]}: ${series.name} ${input.format(value)}`)}</title></circle>`,
      );
    });
    flush();
  }
  return (
    svgOpen(height, escapeHtml(input.label)) +
    gridlines(max, height, tick) +
    shapes.join('') +
    xLabels((input.axisLabels ?? sparse(input.buckets)).map(escapeHtml), height) +
    '</svg>'
  );
}
