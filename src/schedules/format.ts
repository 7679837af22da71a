import type { ScheduleDescription } from '@temporalio/client';
import type { ScheduleChange } from './diff';
import type { ListedSchedule } from './operations';
import { isManaged, namespaceOf } from './managed';
import { shapeOfDescription, type ScheduleShape } from './shape';

const indent = (lines: string[]) => lines.map((line) => `    ${line}`);

const shapeLines = (shape: ScheduleShape) => Object.entries(shape).map(([field, value]) => `${field}: ${value}`);

/**
 * Items under a heading per namespace, when any item names one (a namespaces definition is in force);
 * those naming none under `other` (the staleness check, which looks at every namespace, by default).
 */
function byNamespace<T>(
  items: readonly T[],
  namespaceOf: (item: T) => string | undefined,
  lines: (items: T[]) => string[],
  other: (item: T) => string = () => '(every namespace)',
): string[] {
  if (!items.some((item) => namespaceOf(item) !== undefined)) return lines([...items]);
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = namespaceOf(item) ?? other(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.keys()]
    .sort()
    .flatMap((key) => [`namespace ${key}:`, ...lines(groups.get(key)!).map((line) => `  ${line}`)]);
}

/**
 * apply's report: one block per schedule, `+` created, `~` updated (old → new), `-` deleted, `=`
 * unchanged; grouped by the namespace each syncs when a namespaces definition is in force.
 */
export function formatApply(
  changes: readonly ScheduleChange[],
  definitions: ReadonlyArray<{ id: string; namespace?: string }>,
  dryRun: boolean,
): string[] {
  const namespaces = new Map(definitions.map((definition) => [definition.id, definition.namespace]));
  // A deleted schedule is no longer defined: its ID says which namespace it synced.
  const namespaceOfId = (id: string) => namespaces.get(id) ?? /--(.+)$/.exec(id)?.[1];
  const entries = [
    ...changes.map((change) => ({ id: change.scheduleId, change })),
    ...definitions
      .filter((d) => !changes.some((c) => c.scheduleId === d.id))
      .map((d) => ({ id: d.id, change: undefined })),
  ];
  const lines = byNamespace(
    entries,
    (entry) => namespaceOfId(entry.id),
    (group) => applyLines(group, dryRun),
  );
  lines.push(
    changes.length === 0
      ? 'nothing to change'
      : `${changes.length} change(s)${dryRun ? ' not made (dry run)' : ' made'}`,
  );
  return lines;
}

function applyLines(entries: Array<{ id: string; change: ScheduleChange | undefined }>, dryRun: boolean): string[] {
  const verb = (done: string, would: string) => (dryRun ? would : done);
  const lines: string[] = [];
  for (const { id, change } of entries) {
    if (change === undefined) {
      lines.push(`= ${id}: unchanged`);
      continue;
    }
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
  // A schedule we did not make syncs no namespace of ours, whatever its memo says.
  return byNamespace(
    listed,
    ({ summary, managed }) => (managed ? namespaceOf(summary.memo) : undefined),
    (group) => listTable(group, showManaged),
    ({ managed }) => (managed ? '(every namespace)' : '(not managed by temporal-sync)'),
  );
}

function listTable(listed: readonly ListedSchedule[], showManaged: boolean): string[] {
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
