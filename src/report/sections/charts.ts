import { stackedBars, type BarSeries } from '../charts/bars';
import { horizontalBars } from '../charts/hbars';
import { lineChart } from '../charts/lines';
import { durationUnit, formatAxisBucket, formatBucket, formatCount, formatDuration, typeLabel } from '../format';
import type { ReportData, StatusCounts } from '../model';
import { bucketsOf } from '../window';
import { card, figure, legend } from './parts';

export const STATUS_COLORS: Array<[keyof StatusCounts, string, string]> = [
  ['completed', 'completed', '#3a9d5d'],
  ['failed', 'failed', '#d64545'],
  ['timedOut', 'timed out', '#ef8a2e'],
  ['canceled', 'canceled', '#d8b531'],
  ['terminated', 'terminated', '#8c6bb1'],
  ['continuedAsNew', 'continued as new', '#5b8def'],
];
const TYPE_COLORS = ['#d64545', '#ef8a2e', '#8c6bb1', '#2b8cbe', '#b15928', '#7f8c8d'];
const FIRE_COLORS = { onTime: '#3a9d5d', late: '#ef8a2e', missed: '#d64545' };
const AGE_BANDS = ['under 1 hour', '1 hour to 1 day', '1 to 7 days', '7 to 30 days', 'over 30 days'];

/** Values of `rows` laid on every bucket of the window; buckets without a row are 0 (or null). */
function onBuckets<T extends { bucket: Date }>(
  data: ReportData,
  rows: T[],
  value: (row: T) => number | null,
  empty: number | null,
) {
  const byTime = new Map(rows.map((row) => [row.bucket.getTime(), row]));
  return bucketsOf(data.window).map((bucket) => {
    const row = byTime.get(bucket.getTime());
    return row ? value(row) : empty;
  });
}

const labels = (data: ReportData) => bucketsOf(data.window).map((b) => formatBucket(b, data.window.bucket));
const HOUR_STEPS = [1, 2, 3, 6, 12, 24, 48, 72];
const DAY_STEPS = [1, 2, 7, 14, 28, 56, 91, 182, 364];

/** About six labels on round hours or days (every 6 h, 12 h, a week...), whatever the window's start. */
function axisLabels(data: ReportData): string[] {
  const buckets = bucketsOf(data.window);
  const size = data.window.bucket === 'day' ? 86_400_000 : 3_600_000;
  const steps = data.window.bucket === 'day' ? DAY_STEPS : HOUR_STEPS;
  const step = steps.find((s) => buckets.length / s <= 7) ?? steps[steps.length - 1]!;
  return buckets.map((b) =>
    Math.floor(b.getTime() / size) % step === 0 ? formatAxisBucket(b, data.window.bucket) : '',
  );
}
const per = (data: ReportData) => (data.window.bucket === 'day' ? 'day' : 'hour');

function closedChart(data: ReportData): string {
  const series: BarSeries[] = STATUS_COLORS.map(([key, name, color]) => ({
    name,
    color,
    values: onBuckets(data, data.throughput, (row) => row[key], 0) as number[],
  }));
  const any = data.throughput.some((row) => row.closed > 0);
  const svg = any
    ? stackedBars({
        label: 'Closed runs by status',
        buckets: labels(data),
        axisLabels: axisLabels(data),
        series,
        format: formatCount,
      })
    : null;
  return card('closed', `Runs closed per ${per(data)}, by status`, figure('closed-by-status', svg, legend(series)));
}

function failuresChart(data: ReportData): string {
  const totals = new Map<string | null, number>();
  for (const row of data.failuresByType)
    totals.set(row.workflowType, (totals.get(row.workflowType) ?? 0) + row.failures);
  const top = [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([type]) => type);
  const groups = [
    ...top.map((type) => ({ key: type, name: typeLabel(type) })),
    ...(totals.size > 5 ? [{ key: undefined, name: 'other types' }] : []),
  ];
  const series: BarSeries[] = groups.map((group, i) => ({
    name: group.name,
    color: TYPE_COLORS[i]!,
    values: bucketsOf(data.window).map((bucket) =>
      data.failuresByType
        .filter(
          (row) =>
            row.bucket.getTime() === bucket.getTime() &&
            (group.key === undefined ? !top.includes(row.workflowType) : row.workflowType === group.key),
        )
        .reduce((sum, row) => sum + row.failures, 0),
    ),
  }));
  const svg =
    totals.size > 0
      ? stackedBars({
          label: 'Failures by type',
          buckets: labels(data),
          axisLabels: axisLabels(data),
          series,
          format: formatCount,
        })
      : null;
  return card(
    'failures',
    `Failed and timed-out runs per ${per(data)}, by type`,
    figure('failures-by-type', svg ?? null, legend(series)),
  );
}

function durationChart(data: ReportData): string {
  const series = (['p50', 'p95', 'p99'] as const).map((key, i) => ({
    name: key,
    color: ['#2b8cbe', '#ef8a2e', '#d64545'][i]!,
    values: onBuckets(data, data.durations.overTime, (row) => row[key], null),
  }));
  const top = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const svg =
    data.durations.overall.completed > 0
      ? lineChart({
          label: 'Duration percentiles',
          buckets: labels(data),
          axisLabels: axisLabels(data),
          series,
          format: formatDuration,
          unit: durationUnit(top),
        })
      : null;
  return card(
    'durations',
    `Duration of completed runs per ${per(data)}`,
    figure('durations', svg, legend(series)),
    'Execution time (close minus start) of COMPLETED runs, by close time; percentile_cont.',
  );
}

function openChart(data: ReportData): string {
  const runs = new Map(data.open.bands.map((b) => [b.band, b.runs]));
  const items = AGE_BANDS.map((band, i) => ({
    label: band,
    value: runs.get(band) ?? 0,
    color: ['#9ecae1', '#6baed6', '#3182bd', '#ef8a2e', '#d64545'][i]!,
  }));
  const svg = data.open.total > 0 ? horizontalBars({ label: 'Open runs by age', items, format: formatCount }) : null;
  return card(
    'open-age',
    'Open runs by age',
    figure('open-by-age', svg),
    'As of the last sync; runs the server no longer has are not open.',
  );
}

function firesChart(data: ReportData): string {
  if (!data.fires)
    return card(
      'fires',
      'Schedule fires per day',
      '<p class="empty-chart">The schedule fire log is not in this database yet.</p>',
    );
  const days = data.fires.days;
  const series: BarSeries[] = (['onTime', 'late', 'missed'] as const).map((key) => ({
    name: key === 'onTime' ? 'on time' : key,
    color: FIRE_COLORS[key],
    values: days.map((day) => day[key]),
  }));
  const svg =
    days.length > 0
      ? stackedBars({
          label: 'Schedule fires',
          buckets: days.map((d) => formatBucket(d.bucket, 'day')),
          series,
          format: formatCount,
        })
      : null;
  return card(
    'fires',
    'Schedule fires per day',
    figure('schedule-fires', svg, legend(series)),
    'On time: started within 60 s of the scheduled time (jitter included).',
  );
}

export { closedChart, durationChart, failuresChart, firesChart, openChart };
