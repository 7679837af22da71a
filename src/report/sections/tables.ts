import { formatCount, formatDuration, formatPercent, formatTime, typeLabel } from '../format';
import type { Freshness, OpenRun, ReportData, ScheduleCounters, ScheduleSummary, TypeSummary } from '../model';
import { FAILURE_RATE_BAD, FAILURE_RATE_WARN } from '../verdict';
import { card, table, type Column } from './parts';

const rateTone = (rate: number | null) =>
  rate === null ? '' : rate >= FAILURE_RATE_BAD ? 'bad' : rate >= FAILURE_RATE_WARN ? 'warn' : 'ok';

export function typesTable(data: ReportData): string {
  const columns: Array<Column<TypeSummary>> = [
    { title: 'Workflow type', cell: (t) => typeLabel(t.workflowType) },
    { title: 'Started', cell: (t) => formatCount(t.started), numeric: true },
    { title: 'Ended', cell: (t) => formatCount(t.ended), numeric: true },
    { title: 'Failed', cell: (t) => formatCount(t.failed), numeric: true },
    { title: 'Timed out', cell: (t) => formatCount(t.timedOut), numeric: true },
    {
      title: 'Failure rate',
      cell: (t) => formatPercent(t.failureRate),
      numeric: true,
      tone: (t) => rateTone(t.failureRate),
    },
    { title: 'p50', cell: (t) => formatDuration(t.p50), numeric: true },
    { title: 'p95', cell: (t) => formatDuration(t.p95), numeric: true },
    { title: 'p99', cell: (t) => formatDuration(t.p99), numeric: true },
  ];
  return card(
    'types',
    'Workflow types, most failures first',
    table('types', columns, data.types, 'No runs started or closed in this window.'),
    'Failure rate: failed and timed-out runs over runs that ended (closed, continue-as-new excluded). Durations: completed runs.',
  );
}

export function oldestOpenTable(data: ReportData): string {
  const columns: Array<Column<OpenRun>> = [
    { title: 'Workflow ID', cell: (r) => r.workflowId, tone: () => 'id' },
    { title: 'Workflow type', cell: (r) => typeLabel(r.workflowType) },
    { title: 'Task queue', cell: (r) => r.taskQueue ?? '–' },
    { title: 'Started', cell: (r) => formatTime(r.startTime) },
    {
      title: 'Open for',
      cell: (r) => formatDuration(r.ageSeconds),
      numeric: true,
      tone: (r) => (r.ageSeconds > 604_800 ? 'warn' : ''),
    },
  ];
  const more =
    data.open.total > data.open.oldest.length
      ? ` (the oldest ${data.open.oldest.length} of ${formatCount(data.open.total)})`
      : '';
  return card(
    'oldest-open',
    `Oldest open runs${more}`,
    table('oldest-open', columns, data.open.oldest, 'No run is open.'),
  );
}

export function scheduleTables(data: ReportData): string {
  const fires: Array<Column<ScheduleSummary>> = [
    { title: 'Schedule', cell: (s) => s.scheduleId },
    { title: 'Due', cell: (s) => formatCount(s.due), numeric: true },
    { title: 'On time', cell: (s) => formatCount(s.onTime), numeric: true },
    { title: 'Late', cell: (s) => formatCount(s.late), numeric: true, tone: (s) => (s.late > 0 ? 'warn' : '') },
    { title: 'Missed', cell: (s) => formatCount(s.missed), numeric: true, tone: (s) => (s.missed > 0 ? 'bad' : '') },
    { title: 'On-time rate', cell: (s) => formatPercent(s.due === 0 ? null : s.onTime / s.due), numeric: true },
    { title: 'Worst delay', cell: (s) => formatDuration(s.worstDelaySeconds), numeric: true },
  ];
  const counters: Array<Column<ScheduleCounters>> = [
    { title: 'Schedule', cell: (s) => s.scheduleId },
    { title: 'Paused', cell: (s) => (s.paused ? 'yes' : 'no') },
    { title: 'Actions taken', cell: (s) => formatCount(s.actionsTaken), numeric: true },
    {
      title: 'Missed (catch-up window)',
      cell: (s) => formatCount(s.missedCatchupWindow),
      numeric: true,
      tone: (s) => (s.missedCatchupWindow > 0 ? 'warn' : ''),
    },
    { title: 'Skipped (overlap)', cell: (s) => formatCount(s.skippedOverlap), numeric: true },
  ];
  const fireTable = data.fires
    ? table('schedule-fires', fires, data.fires.schedules, 'No schedule fired in this window.')
    : '<p class="empty-chart">The schedule fire log is not in this database yet.</p>';
  return (
    card('schedules', 'Schedule fires in this window', fireTable) +
    card(
      'schedule-counters',
      "Schedules: the server's counters",
      table('schedule-counters', counters, data.scheduleCounters, 'No schedules in this namespace.'),
      'Since each schedule was created, from DescribeSchedule.',
    )
  );
}

export function freshnessTable(data: ReportData): string {
  const stale = (f: Freshness) => f.secondsSinceSuccess === null || f.secondsSinceSuccess > data.stalenessSeconds;
  const columns: Array<Column<Freshness>> = [
    { title: 'Stream', cell: (f) => f.stream },
    { title: 'Last successful sync', cell: (f) => formatTime(f.lastSuccessAt) },
    {
      title: 'Age',
      cell: (f) => formatDuration(f.secondsSinceSuccess),
      numeric: true,
      tone: (f) => (stale(f) ? 'bad' : 'ok'),
    },
    { title: 'Mode', cell: (f) => f.lastSuccessMode ?? '–' },
    {
      title: 'Last run',
      cell: (f) => f.lastRunStatus ?? '–',
      tone: (f) => (f.lastRunStatus === 'failed' ? 'bad' : ''),
    },
    {
      title: 'Last failure',
      cell: (f) => (f.lastFailureAt ? `${formatTime(f.lastFailureAt)}: ${f.lastFailureError ?? ''}` : '–'),
    },
  ];
  return card(
    'freshness',
    'Data freshness',
    table('freshness', columns, data.freshness, 'No sync of this namespace has been recorded.'),
  );
}
