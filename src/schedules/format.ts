import type { ScheduleDescription } from '@temporalio/client';
import type { ScheduleChange } from './diff';
import type { ListedSchedule } from './operations';
import { isManaged } from './managed';
import { shapeOfDescription, type ScheduleShape } from './shape';

const indent = (lines: string[]) => lines.map((line) => `    ${line}`);

const shapeLines = (shape: ScheduleShape) => Object.entries(shape).map(([field, value]) => `${field}: ${value}`);

/** apply's report: one block per schedule, `+` created, `~` updated (old → new), `-` deleted, `=` unchanged. */
export function formatApply(
  changes: readonly ScheduleChange[],
  definedIds: readonly string[],
  dryRun: boolean,
): string[] {
  const verb = (done: string, would: string) => (dryRun ? would : done);
  const lines: string[] = [];
  for (const change of changes) {
    if (change.kind === 'create') {
      lines.push(`+ ${change.scheduleId}: ${verb('created', 'would be created')}`, ...indent(shapeLines(change.shape)));
    } else if (change.kind === 'update') {
      lines.push(
        `~ ${change.scheduleId}: ${verb('updated', 'would be updated')}`,
        ...indent(change.fields.map(({ field, from, to }) => `${field}: ${from} → ${to}`)),
      );
    } else {
      lines.push(`- ${change.scheduleId}: ${verb('deleted', 'would be deleted')} (managed, no longer defined)`);
    }
  }
  const changed = new Set(changes.map((change) => change.scheduleId));
  for (const id of definedIds) if (!changed.has(id)) lines.push(`= ${id}: unchanged`);
  lines.push(
    changes.length === 0
      ? 'nothing to change'
      : `${changes.length} change(s)${dryRun ? ' not made (dry run)' : ' made'}`,
  );
  return lines;
}

const iso = (date: Date | undefined) => (date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');

export function formatDescription(description: ScheduleDescription): string[] {
  const { state, info } = description;
  const running = info.runningActions.map((action) => action.workflow.workflowId);
  return [
    `${description.scheduleId}${isManaged(description.memo) ? '' : ' (not managed by temporal-sync)'}`,
    ...indent([
      `state: ${state.paused ? 'paused' : 'active'}${state.note ? ` (note: ${state.note})` : ''}`,
      ...shapeLines(shapeOfDescription(description)),
      `actions taken: ${info.numActionsTaken}, skipped for overlap: ${info.numActionsSkippedOverlap}, missed catch-up window: ${info.numActionsMissedCatchupWindow}`,
      `running: ${running.length > 0 ? running.join(', ') : '-'}`,
      `next: ${info.nextActionTimes.slice(0, 3).map(iso).join(', ') || '-'}`,
      ...info.recentActions
        .slice(-5)
        .map((action) => `recent: ${iso(action.scheduledAt)} → ${action.action.workflow.workflowId}`),
      `created: ${iso(info.createdAt)}, updated: ${iso(info.lastUpdatedAt)}`,
    ]),
  ];
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}

export function formatList(listed: readonly ListedSchedule[], showManaged: boolean): string[] {
  if (listed.length === 0) return ['no schedules'];
  const header = ['ID', 'STATE', 'WORKFLOW', 'NEXT RUN', ...(showManaged ? ['MANAGED'] : [])];
  const rows = listed.map(({ summary, managed }) => [
    summary.scheduleId,
    summary.state.paused ? 'paused' : 'active',
    summary.action?.workflowType ?? '-',
    iso(summary.info.nextActionTimes[0]),
    ...(showManaged ? [managed ? 'yes' : 'no'] : []),
  ]);
  return table([header, ...rows]);
}
