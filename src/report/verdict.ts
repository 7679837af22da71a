import { formatCount, formatDuration, formatPercent, formatTime, plural, typeLabel } from './format';
import type { ReportData } from './model';

export type Level = 'ok' | 'warn' | 'bad' | 'empty';

export interface Verdict {
  level: Level;
  headline: string;
  reasons: string[];
}

/** The thresholds the dashboard colours by: 2% failing is worth a look, 10% needs action. */
export const FAILURE_RATE_WARN = 0.02;
export const FAILURE_RATE_BAD = 0.1;
/** Below this many ended runs a failure rate says little: it raises no alarm on its own. */
const MIN_ENDED_FOR_ALARM = 10;
const LONG_OPEN_SECONDS = 7 * 86_400;

function failureReasons(data: ReportData, add: (level: Level, reason: string) => void): void {
  const { failed, timedOut, closed, continuedAsNew } = data.totals;
  const ended = closed - continuedAsNew;
  const rate = ended === 0 ? null : (failed + timedOut) / ended;
  if (rate === null || ended < MIN_ENDED_FOR_ALARM) return;
  const text = `${formatPercent(rate)} of ended runs failed or timed out (${formatCount(failed + timedOut)} of ${formatCount(ended)})`;
  if (rate >= FAILURE_RATE_BAD) add('bad', text);
  else if (rate >= FAILURE_RATE_WARN) add('warn', text);
  const worst = data.types.find((t) => t.ended >= MIN_ENDED_FOR_ALARM && (t.failureRate ?? 0) >= FAILURE_RATE_WARN);
  if (worst && data.types.length > 1) {
    add(
      (worst.failureRate ?? 0) >= FAILURE_RATE_BAD ? 'bad' : 'warn',
      `Most failures: ${typeLabel(worst.workflowType)}, ${formatPercent(worst.failureRate)} of its ${formatCount(worst.ended)} ended runs`,
    );
  }
}

function freshnessReasons(data: ReportData, add: (level: Level, reason: string) => void): void {
  if (data.freshness.length === 0) add('bad', 'No sync of this namespace has been recorded');
  for (const stream of data.freshness) {
    if (stream.lastSuccessAt === null) add('bad', `The ${stream.stream} stream has never synced successfully`);
    else if ((stream.secondsSinceSuccess ?? 0) > data.stalenessSeconds) {
      add(
        'bad',
        `The ${stream.stream} data is ${formatDuration(stream.secondsSinceSuccess)} old (last successful sync ${formatTime(stream.lastSuccessAt)})`,
      );
    }
    if (stream.lastRunStatus === 'failed') {
      add(
        'bad',
        `The last sync of ${stream.stream} failed${stream.lastFailureError ? `: ${stream.lastFailureError}` : ''}`,
      );
    }
  }
}

function otherReasons(data: ReportData, add: (level: Level, reason: string) => void): void {
  const longOpen = data.open.bands.filter((b) => b.band === '7 to 30 days' || b.band === 'over 30 days');
  const count = longOpen.reduce((sum, b) => sum + b.runs, 0);
  if (count > 0) {
    const oldest = data.open.oldest[0];
    add(
      'warn',
      `${plural(count, 'run has', 'runs have')} been open for more than 7 days${oldest && oldest.ageSeconds > LONG_OPEN_SECONDS ? ` (the oldest for ${formatDuration(oldest.ageSeconds)})` : ''}`,
    );
  }
  if (data.fires) {
    const missed = data.fires.days.reduce((sum, d) => sum + d.missed, 0);
    const late = data.fires.days.reduce((sum, d) => sum + d.late, 0);
    if (missed + late > 0)
      add('warn', `Schedules: ${plural(missed, 'fire')} missed and ${formatCount(late)} started late`);
  }
}

/** What a reader should take away in five seconds, and why. */
export function judge(data: ReportData): Verdict {
  const found: Array<[Level, string]> = [];
  const add = (level: Level, reason: string) => found.push([level, reason]);
  failureReasons(data, add);
  freshnessReasons(data, add);
  otherReasons(data, add);
  const reasons = [...found.filter(([l]) => l === 'bad'), ...found.filter(([l]) => l === 'warn')].map(([, r]) => r);
  const quiet = data.totals.started === 0 && data.totals.closed === 0;
  if (found.some(([l]) => l === 'bad')) return { level: 'bad', headline: 'Needs action', reasons };
  if (found.length > 0) return { level: 'warn', headline: 'Worth a look', reasons };
  if (quiet)
    return {
      level: 'empty',
      headline: 'No runs in this window',
      reasons: ['No run started or closed in this window.'],
    };
  return {
    level: 'ok',
    headline: 'Healthy',
    reasons: ['Failure rate, data freshness, open runs and schedules are all within bounds.'],
  };
}
