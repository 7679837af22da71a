import type pg from 'pg';
import { databaseNow } from '../db/clock';
import { openIncidents } from '../db/incidents';
import { countRows } from '../db/rows';
import { readPositions } from '../db/sync-state';
import {
  countRunning,
  FAILED_STATUSES,
  latestFinishedRun,
  namespacesAndStreams,
  type FinishedRun,
} from '../db/sync-runs';
import { byRegistryOrder, streamNamed } from '../streams/registry';
import type { DatabaseSnapshot, NamespaceStatus, RunRef, StreamStatus } from './types';

const iso = (value: Date | null | undefined): string | null => value?.toISOString() ?? null;

const runRef = (run: FinishedRun): RunRef => ({
  syncRunId: run.id,
  workflowId: run.workflowId,
  mode: run.mode,
  startedAt: run.startedAt.toISOString(),
  finishedAt: run.finishedAt.toISOString(),
});

async function streamStatus(db: pg.Pool, schema: string, namespace: string, stream: string): Promise<StreamStatus> {
  const success = await latestFinishedRun(db, schema, namespace, { statuses: ['completed'], stream });
  const position = (await readPositions(db, schema, namespace)).find((p) => p.stream === stream);
  const table = streamNamed(stream)?.table;
  return {
    stream,
    lastSuccess: success
      ? {
          ...runRef(success),
          rows: Number(success.rowsPerStream[stream] ?? 0),
          durationMs: success.finishedAt.getTime() - success.startedAt.getTime(),
        }
      : null,
    cursor: iso(position?.cursor),
    lastFullSyncAt: iso(position?.lastFullSyncAt),
    rows: table ? await countRows(db, schema, table, namespace) : { live: 0, deleted: 0 },
  };
}

async function namespaceStatus(
  db: pg.Pool,
  schema: string,
  namespace: string,
  streams: string[],
): Promise<NamespaceStatus> {
  const lastFailure = await latestFinishedRun(db, schema, namespace, { statuses: FAILED_STATUSES });
  const lastFinished = await latestFinishedRun(db, schema, namespace, { statuses: ['completed', ...FAILED_STATUSES] });
  const statuses: StreamStatus[] = [];
  for (const stream of [...streams].sort(byRegistryOrder))
    statuses.push(await streamStatus(db, schema, namespace, stream));
  return {
    namespace,
    streams: statuses,
    lastFailure: lastFailure ? { ...runRef(lastFailure), status: lastFailure.status, error: lastFailure.error } : null,
    lastFinished: lastFinished
      ? { syncRunId: lastFinished.id, status: lastFinished.status, finishedAt: lastFinished.finishedAt.toISOString() }
      : null,
    running: await countRunning(db, schema, namespace),
    openIncidents: (await openIncidents(db, schema, namespace)).map((incident) => ({
      ...incident,
      openedAt: incident.openedAt.toISOString(),
      lastSeenAt: incident.lastSeenAt.toISOString(),
      notifiedAt: iso(incident.notifiedAt),
    })),
  };
}

/** Everything the status command reports from the tables, for every namespace they hold. */
export async function readDatabaseSnapshot(db: pg.Pool, schema: string): Promise<DatabaseSnapshot> {
  const now = await databaseNow(db);
  const namespaces: NamespaceStatus[] = [];
  for (const { namespace, streams } of await namespacesAndStreams(db, schema)) {
    namespaces.push(await namespaceStatus(db, schema, namespace, streams));
  }
  return { checkedAt: now.toISOString(), namespaces };
}
