import type { BucketWidth } from './model';

/** How the report writes numbers, durations and times: for a reader, in UTC, English. */

const COUNT = new Intl.NumberFormat('en-US');

export const formatCount = (value: number): string => COUNT.format(value);

/** "1 run", "3 runs": the count and the noun, singular when it is one. */
export const plural = (count: number, noun: string, nouns = `${noun}s`): string =>
  `${formatCount(count)} ${count === 1 ? noun : nouns}`;

export function formatPercent(fraction: number | null, digits = 1): string {
  if (fraction === null) return '–';
  return `${(fraction * 100).toFixed(digits)}%`;
}

/**
 * 0.042 -> "42 ms", 12.34 -> "12.3 s", 125 -> "2 min 5 s", 7384 -> "2 h 3 min", 200000 -> "2 d 7 h";
 * with `parts` 1, only the largest unit: "2 min", "2 h".
 */
export function formatDuration(seconds: number | null, parts: 1 | 2 = 2): string {
  if (seconds === null) return '–';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ];
  const whole = Math.round(seconds);
  const index = units.findIndex(([, size]) => whole >= size);
  const [bigName, bigSize] = units[index]!;
  const [smallName, smallSize] = units[index + 1]!;
  const big = Math.floor(whole / bigSize);
  const small = Math.floor((whole % bigSize) / smallSize);
  if (parts === 1) return `${Math.round(whole / bigSize)} ${bigName}`;
  return small === 0 ? `${big} ${bigName}` : `${big} ${bigName} ${small} ${smallName}`;
}

/** The unit a duration axis up to `max` seconds is labelled in, and its size in seconds. */
export function durationUnit(max: number): { unit: string; size: number } {
  if (max < 1) return { unit: 'ms', size: 0.001 };
  if (max < 120) return { unit: 's', size: 1 };
  if (max < 7200) return { unit: 'min', size: 60 };
  if (max < 172_800) return { unit: 'h', size: 3600 };
  return { unit: 'd', size: 86_400 };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** "Dec 2" or "Dec 2 14:00", in UTC. */
export function formatBucket(time: Date, width: BucketWidth): string {
  const day = `${MONTHS[time.getUTCMonth()]} ${time.getUTCDate()}`;
  return width === 'day' ? day : `${day} ${pad(time.getUTCHours())}:00`;
}

/** Under a chart's x axis: the day at midnight and for daily bars, the hour otherwise ("Dec 2", "12:00"). */
export function formatAxisBucket(time: Date, width: BucketWidth): string {
  return width === 'day' || time.getUTCHours() === 0 ? formatBucket(time, 'day') : `${pad(time.getUTCHours())}:00`;
}

/** "2026-12-02 14:05 UTC". */
export function formatTime(time: Date | null): string {
  if (time === null) return '–';
  return `${time.toISOString().slice(0, 10)} ${time.toISOString().slice(11, 16)} UTC`;
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A workflow type as a reader sees it; the server can leave it empty. */
export const typeLabel = (type: string | null): string => type ?? '(no type)';
