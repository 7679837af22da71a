/** The y axis every chart shares: a round maximum, a few gridlines, sparse x labels. */

export const CHART_WIDTH = 560;
export const MARGIN = { top: 10, right: 10, bottom: 26, left: 62 };

export const GRIDLINES = 4;

/**
 * The top of an axis with four gridlines at round steps: the step is 1, 2 or 5 times a power of ten
 * of `unit` (whole numbers for counts, whole units for durations), and four steps reach `value`.
 */
export function niceCeiling(value: number, unit = 1): number {
  if (!(value > 0)) return GRIDLINES * unit;
  const raw = value / GRIDLINES / unit;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].find((m) => m * power >= raw - 1e-9)! * power);
  return step * GRIDLINES * unit;
}

export function gridlines(max: number, height: number, format: (value: number) => string): string {
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const lines: string[] = [];
  for (let i = 0; i <= GRIDLINES; i++) {
    const value = (max * i) / GRIDLINES;
    const y = MARGIN.top + plotHeight - (plotHeight * i) / GRIDLINES;
    lines.push(
      `<line x1="${MARGIN.left}" x2="${CHART_WIDTH - MARGIN.right}" y1="${y}" y2="${y}" class="grid"/>`,
      `<text x="${MARGIN.left - 6}" y="${y + 4}" class="tick" text-anchor="end">${format(value)}</text>`,
    );
  }
  return lines.join('');
}

/** Labels under the x axis, one per bucket; an empty label leaves its bucket unlabelled. */
export function xLabels(labels: string[], height: number): string {
  const plotWidth = CHART_WIDTH - MARGIN.left - MARGIN.right;
  const band = plotWidth / Math.max(labels.length, 1);
  return labels
    .map((label, i) =>
      label
        ? `<text x="${MARGIN.left + band * i + band / 2}" y="${height - 8}" class="tick" text-anchor="middle">${label}</text>`
        : '',
    )
    .join('');
}

/** Every `ceil(n / most)`-th name, so at most `most` labels share the axis. */
export function sparse(names: string[], most = 6): string[] {
  const every = Math.max(1, Math.ceil(names.length / most));
  return names.map((name, i) => (i % every === 0 ? name : ''));
}

export const svgOpen = (height: number, label: string) =>
  `<svg viewBox="0 0 ${CHART_WIDTH} ${height}" width="100%" role="img" aria-label="${label}" xmlns="http://www.w3.org/2000/svg">`;
