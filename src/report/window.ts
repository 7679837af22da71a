import type { BucketWidth, ReportWindow } from './model';

const WIDTH_MS: Record<BucketWidth, number> = { hour: 3_600_000, day: 86_400_000 };
/** Up to three days, the charts have a bar per hour; beyond, per day. */
const HOURLY_UP_TO_MS = 3 * 86_400_000;

export class WindowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WindowError';
  }
}

/** A date or a date and time: 2026-11-30, 2026-11-30T12:00Z, 2026-11-30 12:00:00+01:00 (UTC when no zone). */
export function parseTime(text: string, flag: string): Date {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
    text.trim(),
  );
  const time = match ? new Date(`${match[1]}T${match[2] ?? '00:00'}${match[3] ?? 'Z'}`) : null;
  if (!time || Number.isNaN(time.getTime())) {
    throw new WindowError(
      `${flag} must be a date or a date and time, e.g. 2026-11-30 or 2026-11-30T12:00Z (got "${text}")`,
    );
  }
  return time;
}

const floorTo = (time: number, width: number) => Math.floor(time / width) * width;
const ceilTo = (time: number, width: number) => Math.ceil(time / width) * width;

/**
 * The window a report covers, widened to whole buckets so that every number in it (totals, charts,
 * tables) counts the same runs: --days N is today (UTC) and the N - 1 days before it.
 */
export function resolveWindow(
  options: { days?: number | undefined; since?: string | undefined; until?: string | undefined },
  now: Date,
): ReportWindow {
  if (options.days !== undefined && (options.since !== undefined || options.until !== undefined)) {
    throw new WindowError('give either --days or --since/--until, not both');
  }
  let since: number;
  let until: number;
  if (options.since === undefined && options.until === undefined) {
    const days = options.days ?? 7;
    until = floorTo(now.getTime(), WIDTH_MS.day) + WIDTH_MS.day;
    since = until - days * WIDTH_MS.day;
  } else {
    until = options.until === undefined ? now.getTime() : parseTime(options.until, '--until').getTime();
    if (options.since === undefined) throw new WindowError('--until needs --since');
    since = parseTime(options.since, '--since').getTime();
    if (since >= until) throw new WindowError('--since must be before --until');
  }
  const bucket: BucketWidth = until - since > HOURLY_UP_TO_MS ? 'day' : 'hour';
  return {
    since: new Date(floorTo(since, WIDTH_MS[bucket])),
    until: new Date(ceilTo(until, WIDTH_MS[bucket])),
    bucket,
  };
}

/** Every bucket start in the window, so charts show empty hours and days as empty, not as missing. */
export function bucketsOf(window: ReportWindow): Date[] {
  const width = WIDTH_MS[window.bucket];
  const buckets: Date[] = [];
  for (let t = window.since.getTime(); t < window.until.getTime(); t += width) buckets.push(new Date(t));
  return buckets;
}
