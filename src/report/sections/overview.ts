import { escapeHtml, formatCount, formatDuration, formatPercent, formatTime } from '../format';
import type { ReportData } from '../model';
import { FAILURE_RATE_BAD, FAILURE_RATE_WARN, type Verdict } from '../verdict';

export function header(data: ReportData): string {
  const { since, until, bucket } = data.window;
  const days = Math.round((until.getTime() - since.getTime()) / 86_400_000);
  const span =
    bucket === 'day' ? `${days} days` : `${Math.round((until.getTime() - since.getTime()) / 3_600_000)} hours`;
  return (
    `<header><h1>Temporal namespace <span data-field="namespace">${escapeHtml(data.namespace)}</span></h1>` +
    `<p>${formatTime(since)} to ${formatTime(until)} (${span}) · generated ${formatTime(data.generatedAt)} · ` +
    `schema ${escapeHtml(data.schema)}</p></header>`
  );
}

export function verdictBanner(verdict: Verdict): string {
  const reasons = verdict.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join('');
  return `<div class="verdict ${verdict.level}" data-verdict="${verdict.level}"><strong>${escapeHtml(verdict.headline)}</strong><ul>${reasons}</ul></div>`;
}

const tile = (id: string, name: string, value: string, sub: string, tone = '') =>
  `<div class="tile ${tone}" data-tile="${id}"><div class="name">${escapeHtml(name)}</div>` +
  `<div class="value">${escapeHtml(value)}</div><div class="sub">${escapeHtml(sub)}</div></div>`;

function failureTone(rate: number | null): string {
  if (rate === null) return '';
  return rate >= FAILURE_RATE_BAD ? 'bad' : rate >= FAILURE_RATE_WARN ? 'warn' : 'ok';
}

export function tiles(data: ReportData): string {
  const t = data.totals;
  const ended = t.closed - t.continuedAsNew;
  const rate = ended === 0 ? null : (t.failed + t.timedOut) / ended;
  const d = data.durations.overall;
  const oldest = data.open.oldest[0];
  const fires = data.fires?.days.reduce(
    (sum, day) => ({
      due: sum.due + day.due,
      onTime: sum.onTime + day.onTime,
      late: sum.late + day.late,
      missed: sum.missed + day.missed,
    }),
    { due: 0, onTime: 0, late: 0, missed: 0 },
  );
  const onTime = fires && fires.due > 0 ? fires.onTime / fires.due : null;
  const stalest = Math.max(...data.freshness.map((f) => f.secondsSinceSuccess ?? Infinity), -Infinity);
  return `<div class="tiles">${[
    tile('started', 'Runs started', formatCount(t.started), `${formatCount(t.closed)} closed`),
    tile(
      'failure-rate',
      'Failure rate',
      formatPercent(rate),
      `${formatCount(t.failed)} failed · ${formatCount(t.timedOut)} timed out`,
      failureTone(rate),
    ),
    tile(
      'p95',
      'p95 duration',
      formatDuration(d.p95, 1),
      `p50 ${formatDuration(d.p50, 1)} · p99 ${formatDuration(d.p99, 1)}`,
    ),
    tile(
      'open',
      'Open runs',
      formatCount(data.open.total),
      oldest ? `the oldest for ${formatDuration(oldest.ageSeconds)}` : 'none open',
      oldest && oldest.ageSeconds > 604_800 ? 'warn' : '',
    ),
    tile(
      'schedules',
      'Schedules on time',
      fires ? formatPercent(onTime) : 'n/a',
      fires ? `${formatCount(fires.missed)} missed · ${formatCount(fires.late)} late` : 'no fire log in this database',
      fires ? (fires.missed + fires.late > 0 ? 'warn' : 'ok') : '',
    ),
    tile(
      'freshness',
      'Data synced',
      Number.isFinite(stalest) ? `${formatDuration(stalest, 1)} ago` : 'never',
      `stale after ${formatDuration(data.stalenessSeconds)}`,
      Number.isFinite(stalest) && stalest <= data.stalenessSeconds ? 'ok' : 'bad',
    ),
  ].join('')}</div>`;
}
