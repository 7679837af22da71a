import { formatDuration } from '../duration';
import type { NamespaceStatus, SchedulesStatus, StatusReport, StreamStatus } from './types';

function ago(now: number, at: string): string {
  return `${formatDuration(now - Date.parse(at))} ago`;
}

function streamLines(now: number, stream: StreamStatus): string[] {
  const name = stream.stream.padEnd(10);
  const pad = ' '.repeat(name.length);
  const success = stream.lastSuccess;
  const first = success
    ? `last success: run ${success.syncRunId} (${success.mode}) finished ${success.finishedAt} (${ago(now, success.finishedAt)}), ` +
      `${success.rows} rows in ${formatDuration(success.durationMs)}`
    : 'last success: none yet';
  const cursor = stream.cursor
    ? `cursor ${stream.cursor} (${formatDuration(now - Date.parse(stream.cursor))} old)`
    : 'no cursor yet';
  return [`  ${name} ${first}`, `  ${pad} ${cursor}; rows: ${stream.rows.live} live, ${stream.rows.deleted} deleted`];
}

function namespaceLines(now: number, ns: NamespaceStatus): string[] {
  const lines = [`namespace ${ns.namespace}`, ...ns.streams.flatMap((stream) => streamLines(now, stream))];
  if (ns.lastFailure) {
    const latest = ns.lastFinished?.status === 'failed' ? ' (the latest run)' : '';
    lines.push(
      `  last failure: run ${ns.lastFailure.syncRunId}${latest} at ${ns.lastFailure.finishedAt} (${ago(now, ns.lastFailure.finishedAt)}): ` +
        `${ns.lastFailure.error ?? 'no error recorded'}`,
    );
  } else {
    lines.push('  last failure: none');
  }
  if (ns.running > 0) lines.push(`  running now: ${ns.running} run${ns.running === 1 ? '' : 's'}`);
  for (const incident of ns.openIncidents) {
    const sent = incident.notifiedAt ? `alert sent ${incident.notifiedAt}` : 'no alert delivered';
    const about = incident.subject ? ` "${incident.subject}"` : '';
    lines.push(
      `  open incident ${incident.id}: ${incident.kind}${about} since ${incident.openedAt}, ${incident.occurrences} occurrence(s), ${sent}` +
        (incident.lastError ? `: ${incident.lastError}` : ''),
    );
  }
  return [...lines, ...findingLines(ns)];
}

/** Schedules that missed or skipped fires in the window, and the workflow types with the most stuck runs. */
function findingLines(ns: NamespaceStatus): string[] {
  const lines: string[] = [];
  if (ns.scheduleProblems.length > 0) lines.push('  schedules that missed or skipped fires in the staleness window:');
  for (const problem of ns.scheduleProblems) lines.push(`    ${problem.scheduleId}: ${problem.text}`);
  if (ns.stuckTypes.length > 0) lines.push('  workflow types with stuck runs, the most first:');
  for (const type of ns.stuckTypes) lines.push(`    ${type.workflowType || '(no type)'}: ${type.text}`);
  return lines;
}

function scheduleLines(temporal: SchedulesStatus): string[] {
  if (!temporal.reachable)
    return [`managed schedules (namespace ${temporal.namespace}): Temporal unreachable: ${temporal.error}`];
  if (temporal.schedules.length === 0) return [`managed schedules (namespace ${temporal.namespace}): none`];
  const width = Math.max(...temporal.schedules.map((schedule) => schedule.scheduleId.length));
  return [
    `managed schedules (namespace ${temporal.namespace}):`,
    ...temporal.schedules.map((schedule) => {
      const state = schedule.paused ? `paused${schedule.note ? ` (${schedule.note})` : ''}` : 'active';
      const next = schedule.nextActionAt && !schedule.paused ? `, next ${schedule.nextActionAt}` : '';
      return `  ${schedule.scheduleId.padEnd(width)}  ${schedule.workflowType ?? '?'}, ${state}${next}`;
    }),
  ];
}

/** The report as an operator reads it in a terminal. Pure. */
/** One line a namespace, the worst first: its verdict, and its first reason or its last success. */
function summaryLines(now: number, report: StatusReport): string[] {
  const width = Math.max(...report.namespaceVerdicts.map((v) => v.namespace.length));
  return report.namespaceVerdicts.map((verdict) => {
    const ns = report.namespaces.find((candidate) => candidate.namespace === verdict.namespace);
    const successes = (ns?.streams ?? []).flatMap((stream) =>
      stream.lastSuccess ? [stream.lastSuccess.finishedAt] : [],
    );
    const oldest = successes.sort()[0];
    const said =
      verdict.reasons[0]?.replace(/^namespace "[^"]*"(: |, )/, '') ??
      (oldest ? `last success ${ago(now, oldest)}` : 'no stream synced yet');
    return `  ${verdict.status.toUpperCase().padEnd(7)}  ${verdict.namespace.padEnd(width)}  ${said}`;
  });
}

export function formatStatus(report: StatusReport): string {
  const now = Date.parse(report.checkedAt);
  const sections = [
    [`temporal-sync status at ${report.checkedAt} (stale after ${formatDuration(report.stalenessSeconds * 1000)})`],
    ...(report.namespaceVerdicts.length > 0 ? [['namespaces, the worst first:', ...summaryLines(now, report)]] : []),
    ...(report.namespaces.length > 0
      ? report.namespaces.map((ns) => namespaceLines(now, ns))
      : [['no sync has run yet']]),
    scheduleLines(report.temporal),
    [`verdict: ${report.verdict.status.toUpperCase()}`, ...report.verdict.reasons.map((reason) => `  - ${reason}`)],
  ];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}
