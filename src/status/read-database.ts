import type pg from 'pg';
import { qualified } from '../db/identifiers';
import { STREAM_TABLES, type StreamName } from '../db/sync-state';
import type { DatabaseSnapshot, IncidentStatus, NamespaceStatus, RunRef, StreamStatus } from './types';

const iso = (value: Date | null): string | null => value?.toISOString() ?? null;

interface RunRow {
  id: string;
  workflow_id: string;
  mode: string;
  status: string;
  started_at: Date;
  finished_at: Date;
  error: string | null;
  rows_per_stream: Record<string, number>;
}

const runRef = (run: RunRow): RunRef => ({
  syncRunId: run.id,
  workflowId: run.workflow_id,
  mode: run.mode,
  startedAt: run.started_at.toISOString(),
  finishedAt: run.finished_at.toISOString(),
});

const RUN_COLUMNS = `id::text AS id, workflow_id, mode, status, started_at, finished_at, error, rows_per_stream`;

/** Everything the status command reports from the tables, for every namespace they hold. */
export async function readDatabaseSnapshot(db: pg.Pool, schema: string): Promise<DatabaseSnapshot> {
  const syncRun = qualified(schema, 'sync_run');
  const { rows: clock } = await db.query<{ now: Date }>('SELECT now() AS now');
  const { rows: namespaces } = await db.query<{ namespace: string; streams: string[] }>(
    `SELECT namespace, array_agg(DISTINCT stream ORDER BY stream) AS streams FROM (
       SELECT namespace, stream FROM ${qualified(schema, 'sync_state')}
       UNION SELECT namespace, unnest(streams) FROM ${syncRun}
     ) s GROUP BY namespace ORDER BY namespace`,
  );
  const result: NamespaceStatus[] = [];
  for (const { namespace, streams: unordered } of namespaces) {
    // workflows before schedules, as everywhere else; a stream of a later connector after them.
    const order = (stream: string) => (stream === 'workflows' ? 0 : stream === 'schedules' ? 1 : 2);
    const streams = [...unordered].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
    const latest = async (where: string, params: unknown[] = []) =>
      (
        await db.query<RunRow>(
          `SELECT ${RUN_COLUMNS} FROM ${syncRun} WHERE namespace = $1 AND ${where}
           ORDER BY finished_at DESC, id DESC LIMIT 1`,
          [namespace, ...params],
        )
      ).rows[0];
    const lastFailure = await latest(`status = 'failed'`);
    const lastFinished = await latest(`status IN ('completed', 'failed')`);
    const { rows: running } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${syncRun} WHERE namespace = $1 AND status = 'running'`,
      [namespace],
    );
    const streamStatuses: StreamStatus[] = [];
    for (const stream of streams) {
      const success = await latest(`status = 'completed' AND $2 = ANY(streams)`, [stream]);
      const { rows: state } = await db.query<{ cursor: Date | null; last_full_sync_at: Date | null }>(
        `SELECT cursor, last_full_sync_at FROM ${qualified(schema, 'sync_state')} WHERE namespace = $1 AND stream = $2`,
        [namespace, stream],
      );
      const table = STREAM_TABLES[stream as StreamName];
      const counts = table
        ? (
            await db.query<{ live: number; deleted: number }>(
              `SELECT count(*) FILTER (WHERE deleted_at IS NULL)::int AS live,
                      count(*) FILTER (WHERE deleted_at IS NOT NULL)::int AS deleted
               FROM ${qualified(schema, table)} WHERE namespace = $1`,
              [namespace],
            )
          ).rows[0]!
        : { live: 0, deleted: 0 };
      streamStatuses.push({
        stream,
        lastSuccess: success
          ? {
              ...runRef(success),
              rows: Number(success.rows_per_stream[stream] ?? 0),
              durationMs: success.finished_at.getTime() - success.started_at.getTime(),
            }
          : null,
        cursor: iso(state[0]?.cursor ?? null),
        lastFullSyncAt: iso(state[0]?.last_full_sync_at ?? null),
        rows: counts,
      });
    }
    const { rows: incidents } = await db.query<{
      id: string;
      kind: IncidentStatus['kind'];
      opened_at: Date;
      last_seen_at: Date;
      occurrences: number;
      last_error: string | null;
      open_notified_at: Date | null;
    }>(
      `SELECT id::text AS id, kind, opened_at, last_seen_at, occurrences, last_error, open_notified_at
       FROM ${qualified(schema, 'alert_incident')} WHERE namespace = $1 AND closed_at IS NULL ORDER BY opened_at`,
      [namespace],
    );
    result.push({
      namespace,
      streams: streamStatuses,
      lastFailure: lastFailure ? { ...runRef(lastFailure), error: lastFailure.error } : null,
      lastFinished: lastFinished
        ? {
            syncRunId: lastFinished.id,
            status: lastFinished.status as 'completed' | 'failed',
            finishedAt: lastFinished.finished_at.toISOString(),
          }
        : null,
      running: running[0]!.n,
      openIncidents: incidents.map((incident) => ({
        id: incident.id,
        kind: incident.kind,
        openedAt: incident.opened_at.toISOString(),
        lastSeenAt: incident.last_seen_at.toISOString(),
        occurrences: incident.occurrences,
        lastError: incident.last_error,
        notifiedAt: iso(incident.open_notified_at),
      })),
    });
  }
  return { checkedAt: clock[0]!.now.toISOString(), namespaces: result };
}
