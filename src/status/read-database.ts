import type pg from 'pg';
import { scheduleProblemText, stuckText } from '../alerts/findings';
import { recentScheduleProblems, stuckTypes } from '../db/data-findings';
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

/** How many stuck workflow types status shows per namespace. */
const TOP_STUCK_TYPES = 5;

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
  window: { since: Date },
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
    ...(await dataFindings(db, schema, namespace, window)),
  };
}

/** What the data says beyond the sync's health: schedules that missed fires lately, stuck workflow types. */
async function dataFindings(db: pg.Pool, schema: string, namespace: string, window: { since: Date }) {
  const problems = await recentScheduleProblems(db, schema, namespace, window.since);
  const types = await stuckTypes(db, schema, namespace, TOP_STUCK_TYPES);
  return {
    scheduleProblems: problems.map((problem) => ({
      scheduleId: problem.scheduleId,
      kind: problem.kind,
      fires: problem.fires,
      since: problem.since.toISOString(),
      until: problem.until.toISOString(),
      text: scheduleProblemText(problem),
    })),
    stuckTypes: types.map((type) => ({ workflowType: type.workflowType, runs: type.runs, text: stuckText(type) })),
  };
}

/**
 * Everything the status command reports from the tables, for every namespace they hold; schedule
 * problems within the last `windowSeconds` (the staleness window).
 */
export async function readDatabaseSnapshot(
  db: pg.Pool,
  schema: string,
  windowSeconds: number,
): Promise<DatabaseSnapshot> {
  const now = await databaseNow(db);
  const window = { since: new Date(now.getTime() - windowSeconds * 1000) };
  const namespaces: NamespaceStatus[] = [];
  for (const { namespace, streams } of await namespacesAndStreams(db, schema)) {
    namespaces.push(await namespaceStatus(db, schema, namespace, streams, window));
  }
  return { checkedAt: now.toISOString(), namespaces };
}
