import { scheduleIncidents } from '../alerts/data-incidents';
import { scheduleTable, touchSchedules, unchangedSchedules, type ScheduleRow } from '../db/schedule-rows';
import { mapWithConcurrency } from '../source/concurrency';
import { describeWithDeadline } from '../source/describe';
import { listedSchedule, type ListedSchedule } from '../source/schedule-listing';
import { scheduleToRow, type RawScheduleDescription } from '../source/schedules';
import type { PageContext } from './contract';
import { defineStream } from './define';

/** What a codec may have encoded in a description: the action's arguments and memo, the schedule's memo. */
function encodedPayloads(description: RawScheduleDescription | undefined) {
  const start = description?.schedule?.action?.startWorkflow;
  return [
    ...(start?.input?.payloads ?? []),
    ...Object.values(start?.memo?.fields ?? {}),
    ...Object.values(description?.memo?.fields ?? {}),
  ];
}

/** A listed schedule: described (undefined when it vanished in between), or seen unchanged. */
type ScheduleItem = ListedSchedule &
  ({ describedAt: string; description: RawScheduleDescription | undefined } | { unchanged: true });

/**
 * A full sync describes every schedule; an incremental one those whose list entry changed, and the
 * others once their last describe is older than the redescribe age (what a list entry does not show,
 * the action's arguments, policies and running counters, is never older than that).
 */
async function unchangedOf(context: PageContext, listed: ListedSchedule[]): Promise<Set<string>> {
  const age = context.settings.scheduleRedescribeSeconds;
  if (context.mode === 'full' || age === 0) return new Set();
  return unchangedSchedules(context.pool, context.schema, context.namespace, listed, new Date(Date.now() - age * 1000));
}

/**
 * Schedules, listed in full on every pass (a namespace holds few, and a list cannot filter by time), so
 * every pass may mark the schedules it did not see as deleted; each is described for its full state.
 */
export const schedulesStream = defineStream<ScheduleItem, ScheduleRow>({
  name: 'schedules',
  table: scheduleTable,
  dataIncidents: scheduleIncidents,
  plan: () => ({ full: true, query: '', partitionable: false }),
  async fetchPage(context, _query, pageSize, token) {
    const response = await context.visibility.call(() =>
      context.source.workflowService.listSchedules({
        namespace: context.namespace,
        maximumPageSize: pageSize,
        nextPageToken: token ?? undefined,
      }),
    );
    const listed = response.schedules.flatMap((entry) => listedSchedule(entry) ?? []);
    const unchanged = await unchangedOf(context, listed);
    const described = await mapWithConcurrency(
      listed.filter(({ scheduleId }) => !unchanged.has(scheduleId)),
      context.settings.describeConcurrency,
      async (entry): Promise<ScheduleItem> => {
        const describedAt = new Date().toISOString();
        return {
          ...entry,
          describedAt,
          description: await describeWithDeadline(context.source, () =>
            context.source.workflowService.describeSchedule({
              namespace: context.namespace,
              scheduleId: entry.scheduleId,
            }),
          ),
        };
      },
    );
    await context.decode(described.flatMap((item) => ('description' in item ? encodedPayloads(item.description) : [])));
    const seen = listed
      .filter(({ scheduleId }) => unchanged.has(scheduleId))
      .map((entry) => ({ ...entry, unchanged: true as const }));
    const next = response.nextPageToken;
    return { items: [...described, ...seen], nextPageToken: next && next.length > 0 ? next : null };
  },
  mapPage(namespace, items) {
    const rows: ScheduleRow[] = [];
    const rejected: Array<{ id: string; reason: string }> = [];
    const unchanged: string[] = [];
    for (const item of items) {
      if ('unchanged' in item) unchanged.push(item.scheduleId);
      else if (item.description) {
        try {
          rows.push(
            scheduleToRow(namespace, item.scheduleId, item.description, {
              list_fingerprint: item.fingerprint,
              described_at: item.describedAt,
            }),
          );
        } catch (error) {
          rejected.push({ id: item.scheduleId, reason: error instanceof Error ? error.message : String(error) });
        }
      }
    }
    return { rows, rejected, unchanged };
  },
  async writePage(client, page, context) {
    const written = await context.writer.write(client, page.rows, context.syncRunId);
    return (
      written +
      (await touchSchedules(client, context.schema, context.namespace, page.unchanged ?? [], context.syncRunId))
    );
  },
});
