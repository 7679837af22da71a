import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { qualified } from '../../src/db/identifiers';
import type { SyncInput } from '../../src/workflows/input';
import { waitFor } from '../../test/helpers/wait';
import { BENCH_DATABASE_URL } from './worker';
import { checkSync, committed, measureSync, sourceCalls, type SyncFigures, type SyncTarget } from './scale-sync';

const run = promisify(execFile);
const LOG = 'bench_partition_log';

/**
 * A log of every checkpoint commit (sync_partition's pages moving), written by a trigger in the same
 * transaction, with the time it ran: what was committed at a fault is then exact, whatever commits
 * after it (a retry may commit pages before the bench gets to look). Bench-only, in the bench's schema.
 */
export async function installCommitLog(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS ${qualified(schema, LOG)} (sync_run_id bigint, partition int, pages int, at timestamptz);
    CREATE OR REPLACE FUNCTION ${qualified(schema, 'bench_log_commit')}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO ${qualified(schema, LOG)} VALUES (NEW.sync_run_id, NEW.partition, NEW.pages, clock_timestamp());
      RETURN NULL;
    END $$;
    DROP TRIGGER IF EXISTS bench_log_commit ON ${qualified(schema, 'sync_partition')};
    CREATE TRIGGER bench_log_commit AFTER UPDATE OF pages ON ${qualified(schema, 'sync_partition')}
      FOR EACH ROW EXECUTE FUNCTION ${qualified(schema, 'bench_log_commit')}();`);
}

export async function removeCommitLog(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`
    DROP TRIGGER IF EXISTS bench_log_commit ON ${qualified(schema, 'sync_partition')};
    DROP FUNCTION IF EXISTS ${qualified(schema, 'bench_log_commit')}();
    DROP TABLE IF EXISTS ${qualified(schema, LOG)};`);
}

/** Pages each partition had committed before `before` (a time, or SQL for one such as pg_postmaster_start_time()). */
async function committedBefore(
  pool: pg.Pool,
  schema: string,
  syncRunId: string,
  before: Date | 'restart',
): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ partition: number; pages: number }>(
    `SELECT p.partition, coalesce(max(l.pages), 0) AS pages
     FROM ${qualified(schema, 'sync_partition')} p
     LEFT JOIN ${qualified(schema, LOG)} l ON l.sync_run_id = p.sync_run_id AND l.partition = p.partition
       AND l.at < ${before === 'restart' ? 'pg_postmaster_start_time()' : '$2'}
     WHERE p.sync_run_id = $1 GROUP BY p.partition`,
    before === 'restart' ? [syncRunId] : [syncRunId, before],
  );
  return new Map(rows.map((row) => [row.partition, row.pages]));
}

/** Pages committed and List calls made, read together as close to the fault as the bench can. */
export interface FaultSnapshot {
  at: string;
  committedPages: number;
  listCalls: number;
  /** Pages fetched from the source and not committed at that moment: what a retry may fetch again. */
  inFlight: number;
}

async function snapshot(target: SyncTarget, db: pg.Pool | pg.Client, syncRunId: string): Promise<FaultSnapshot> {
  const [pages, stats] = await Promise.all([
    db.query<{ pages: string }>(
      `SELECT coalesce(sum(pages), 0) AS pages FROM ${qualified(target.schema, 'sync_partition')} WHERE sync_run_id = $1`,
      [syncRunId],
    ),
    target.source.stats(),
  ]);
  const committedPages = Number(pages.rows[0]!.pages);
  const listCalls = sourceCalls(stats, target.namespace).list;
  return { at: new Date().toISOString(), committedPages, listCalls, inFlight: listCalls - committedPages };
}

export interface FaultFigures {
  fault: string;
  sync: SyncFigures;
  snapshot: FaultSnapshot;
  /** What the fault hit (the replica killed, how long Postgres was away). */
  detail: Record<string, unknown>;
  /** Partitions a retried attempt picked up: where it resumed, and the pages committed at the fault (the log's). */
  resumed: Array<{ partition: number; resumedAtPages: number[]; committedAtFault: number }>;
  /** List calls in all less pages committed in all: pages fetched and never committed (lost with the fault). */
  fetchedNotCommitted: number;
  /** Committed pages a retried attempt read again: for each, the pages between where it resumed and the checkpoint. */
  pagesReRead: number;
}

/** The replica that ran most of the run's activities in flight (by the identity each last reported). */
async function busiestReplica(target: SyncTarget, workflowId: string): Promise<number> {
  const description = await target.client.workflow.getHandle(workflowId).describe();
  const byPid = new Map<number, number>();
  for (const activity of description.raw.pendingActivities ?? []) {
    const pid = Number(/^(\d+)@/.exec(activity.lastWorkerIdentity ?? '')?.[1]);
    if (pid) byPid.set(pid, (byPid.get(pid) ?? 0) + 1);
  }
  let best = 0;
  target.replicas.workers.forEach((worker, index) => {
    const current = target.replicas.workers[best];
    if (worker && (byPid.get(worker.pid) ?? 0) > (current ? (byPid.get(current.pid) ?? 0) : -1)) best = index;
  });
  return best;
}

/** Every retried partition resumed exactly at the page after the last one committed at the fault. */
async function judge(
  target: SyncTarget,
  fault: string,
  sync: SyncFigures,
  snap: FaultSnapshot,
  atFault: Map<number, number>,
  detail: Record<string, unknown>,
): Promise<FaultFigures> {
  await checkSync(target, sync, true);
  const { rows: final } = await target.pool.query<{ partition: number; pages: number; resumedAtPages: number[] }>(
    `SELECT partition, pages, resumed_at_pages AS "resumedAtPages" FROM ${qualified(target.schema, 'sync_partition')}
     WHERE sync_run_id = $1 ORDER BY partition`,
    [sync.summary.syncRunId],
  );
  const resumed = final
    .filter((p) => p.resumedAtPages.length > 0)
    .map((p) => ({
      partition: p.partition,
      resumedAtPages: p.resumedAtPages,
      committedAtFault: atFault.get(p.partition) ?? 0,
    }));
  const { checks } = target;
  checks.expect(`${fault}: partitions a retried attempt picked up (at least one)`, Math.min(1, resumed.length), 1);
  let pagesReRead = 0;
  for (const p of resumed) {
    const exact = p.resumedAtPages.length === 1 && p.resumedAtPages[0] === p.committedAtFault + 1;
    pagesReRead += Math.max(0, p.committedAtFault + 1 - Math.min(...p.resumedAtPages));
    checks.expect(`${fault}: partition ${p.partition} resumed at [pages committed at the fault + 1]`, exact ? 1 : 0, 1);
  }
  checks.expect(`${fault}: committed pages read again`, pagesReRead, 0);
  const totalPages = final.reduce((sum, p) => sum + p.pages, 0);
  const fetchedNotCommitted = sync.calls.list - sync.calls.rejected - totalPages;
  checks.expect(
    `${fault}: List calls ≤ pages committed + pages in flight at the fault (${snap.inFlight})`,
    fetchedNotCommitted <= snap.inFlight ? 1 : 0,
    1,
  );
  return { fault, sync, snapshot: snap, detail, resumed, fetchedNotCommitted, pagesReRead };
}

/** A full pass on the replicas; once `at` of the rows are committed, the replica with most partitions is SIGKILLed. */
export async function killMidPass(target: SyncTarget, input: SyncInput, expected: number, at: number) {
  let snap: FaultSnapshot | undefined;
  let killedAt = new Date();
  let syncRunId = '';
  const detail: Record<string, unknown> = {};
  const sync = await measureSync(target, 'full, replica killed', input, expected, {
    at,
    run: async (workflowId) => {
      const index = await busiestReplica(target, workflowId);
      const { pid } = await target.replicas.kill(index);
      // What the replica sent before it died (a COMMIT in the socket) still lands: count it as committed at
      // the fault. Its partitions are retried only after the heartbeat timeout, long after this.
      await new Promise((resolve) => setTimeout(resolve, 500));
      killedAt = new Date();
      snap = await snapshot(target, target.pool, (syncRunId = (await committed(target, workflowId)).syncRunId!));
      Object.assign(detail, { killedReplica: index + 1, killedPid: pid, killedAt: killedAt.toISOString() });
      target.log(
        `    SIGKILL to replica ${index + 1} (pid ${pid}) with ${snap.committedPages} pages committed, ` +
          `${snap.inFlight} fetched and not committed`,
      );
    },
  });
  return judge(
    target,
    'SIGKILL',
    sync,
    snap!,
    await committedBefore(target.pool, target.schema, syncRunId, killedAt),
    detail,
  );
}

/** The cluster's version directory (/etc/postgresql/<version>), as the restart command names it. */
function clusterVersion(): string {
  const versions = readdirSync('/etc/postgresql');
  if (versions.length !== 1)
    throw new Error(`expected one Postgres version in /etc/postgresql, found ${versions.join(', ')}`);
  return versions[0]!;
}

/** Waits until Postgres accepts connections again; returns a client of its own (the pool's died with the server). */
function reconnect(): Promise<pg.Client> {
  return waitFor(
    'Postgres to accept connections again',
    async () => {
      const fresh = new pg.Client({ connectionString: BENCH_DATABASE_URL });
      fresh.on('error', () => {});
      await fresh.connect();
      return fresh;
    },
    { timeoutMs: 120_000, intervalMs: 50 },
  );
}

/** A full pass on the replicas; once `at` of the rows are committed, the machine's Postgres is restarted. */
export async function restartPostgresMidPass(target: SyncTarget, input: SyncInput, expected: number, at: number) {
  let snap: FaultSnapshot | undefined;
  let syncRunId = '';
  const detail: Record<string, unknown> = {};
  const version = clusterVersion();
  const sync = await measureSync(target, 'full, Postgres restarted', input, expected, {
    at,
    run: async (workflowId) => {
      const now = await committed(target, workflowId);
      syncRunId = now.syncRunId!;
      const began = Date.now();
      await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart']);
      const client = await reconnect();
      try {
        snap = await snapshot(target, client, syncRunId);
      } finally {
        await client.end();
      }
      Object.assign(detail, { downMs: Date.now() - began, rowsCommittedBefore: now.rows });
      target.log(
        `    Postgres restarted (pg_ctlcluster ${version} main restart) at ${now.rows.toLocaleString('en-US')} rows ` +
          `committed, back after ${Date.now() - began} ms`,
      );
    },
  });
  const atFault = await committedBefore(target.pool, target.schema, syncRunId, 'restart');
  return judge(target, 'Postgres restart', sync, snap!, atFault, detail);
}
