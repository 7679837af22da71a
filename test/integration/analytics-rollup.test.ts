import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { readRollupState, refreshAfterPass, refreshWorkflowStats } from '../../src/db/analytics-rollup';
import { readMigrations } from '../../src/db/migrate';
import { createPool } from '../../src/db/pool';
import { createRowWriter } from '../../src/db/rows';
import { completePass, insertPass } from '../../src/db/sync-passes';
import { inTransaction } from '../../src/db/transaction';
import { workflowTable, type WorkflowRow } from '../../src/db/workflow-rows';
import { streamNamed } from '../../src/streams/registry';
import { compareStats, DAY, expectedStats, HOUR, type StatsRow } from '../helpers/analytics-expected';
import { insertRuns, insertSyncRuns, makeRuns, type SeedRun } from '../helpers/analytics-seed';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';

const NS = 'rollup-ns';
const OTHER = 'rollup-other';

/** A seeded run as the sync's page writer takes it. */
function rowOf(run: SeedRun, readAt: Date): WorkflowRow {
  return {
    namespace: run.namespace,
    workflow_id: run.workflow_id,
    run_id: run.run_id,
    workflow_type: run.workflow_type,
    start_time: run.start_time.toISOString(),
    execution_time: run.start_time.toISOString(),
    close_time: run.close_time?.toISOString() ?? null,
    status: run.status,
    task_queue: run.task_queue,
    execution_time_seconds: run.execution_time_seconds,
    history_length: null,
    history_size_bytes: null,
    state_transition_count: null,
    parent_workflow_id: null,
    parent_run_id: null,
    root_workflow_id: null,
    root_run_id: null,
    memo: null,
    search_attributes: null,
    first_run_id: run.run_id,
    execution_duration_seconds: run.execution_time_seconds,
    worker_deployment_name: null,
    worker_deployment_build_id: null,
    versioning_behavior: null,
    priority_key: null,
    fairness_key: null,
    fairness_weight: null,
    external_payload_size_bytes: null,
    external_payload_count: null,
    read_at: readAt.toISOString(),
  };
}

describe('the analytics rollup, kept by completed workflows passes', () => {
  let db: TestDatabase;
  let runs: SeedRun[];
  const now = new Date();
  const writer = () => createRowWriter(db.schema, workflowTable);
  let syncRuns = 0;

  /** A sync run of NS with a workflows pass: its pages written by the product's writer, then completed. */
  async function pass(
    full: boolean,
    since: Date | null,
    rows: SeedRun[],
    beforeCompletion?: () => Promise<void>,
  ): Promise<void> {
    syncRuns += 1;
    await insertSyncRuns(db.pool, db.schema, [
      {
        namespace: NS,
        workflow_id: `sync-${syncRuns}`,
        mode: full ? 'full' : 'incremental',
        streams: ['workflows'],
        status: 'running',
        started_at: new Date(),
        finished_at: null,
        rows_per_stream: {},
        error: null,
      },
    ]);
    const { rows: made } = await db.pool.query<{ id: string; started_at: Date }>(
      `SELECT id::text, started_at FROM "${db.schema}".sync_run WHERE workflow_id = $1`,
      [`sync-${syncRuns}`],
    );
    const run = made[0]!;
    await inTransaction(db.pool, (client) =>
      insertPass(client, db.schema, { syncRunId: run.id, stream: 'workflows', full, query: '', since }),
    );
    const readAt = new Date();
    for (let start = 0; start < rows.length; start += 200) {
      const page = rows.slice(start, start + 200).map((r) => rowOf(r, readAt));
      await inTransaction(db.pool, (client) => writer().write(client, page, run.id));
    }
    await beforeCompletion?.();
    await completePass(db.pool, db.schema, {
      syncRunId: run.id,
      namespace: NS,
      stream: 'workflows',
      table: 'workflow',
      startedAt: run.started_at,
      // What completeStream hands over: the workflows stream's own work after a pass, the refresh.
      afterPass: streamNamed('workflows')!.afterPass,
    });
  }

  async function view(name: 'hourly' | 'daily'): Promise<StatsRow[]> {
    return (await db.pool.query<StatsRow>(`SELECT * FROM "${db.schema}".workflow_stats_${name}`)).rows;
  }

  /** The views equal the live aggregation (migration 030's views) and the stats computed here from `expected`. */
  async function assertExact(expected: SeedRun[]): Promise<void> {
    for (const [name, width] of [
      ['hourly', HOUR],
      ['daily', DAY],
    ] as const) {
      const rows = await view(name);
      assert.deepEqual(compareStats(rows, expectedStats(expected, width)), [], name);
      const { rows: diff } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (
           (SELECT * FROM "${db.schema}".workflow_stats_${name} EXCEPT ALL SELECT * FROM "${db.schema}".workflow_stats_${name}_live)
           UNION ALL
           (SELECT * FROM "${db.schema}".workflow_stats_${name}_live EXCEPT ALL SELECT * FROM "${db.schema}".workflow_stats_${name})) d`,
      );
      assert.equal(diff[0]!.n, 0, `${name}: the view and the live aggregation differ`);
    }
  }

  before(async () => {
    db = await createTestDatabase('analytics_rollup');
    // 60 hours of runs, and a namespace this test never syncs (all live, untouched by NS's refreshes).
    runs = [...makeRuns(NS, 600, now, 60, 11), ...makeRuns(OTHER, 80, now, 60, 12)];
  });

  after(async () => {
    await db?.dispose();
  });

  it('a namespace never rolled up is aggregated live; the first (full) pass rolls up every bucket', async () => {
    await insertRuns(
      db.pool,
      db.schema,
      runs.filter((run) => run.namespace === OTHER),
    );
    const mine = runs.filter((run) => run.namespace === NS);
    // The first pass: every run of NS, some of them still open (RUNNING), spread over 60 hours.
    await pass(true, null, mine);
    const state = await readRollupState(db.pool, db.schema, NS);
    assert.ok(state, 'the pass rolled NS up');
    assert.equal(state.through.getTime(), Math.floor(Date.now() / HOUR) * HOUR);
    assert.equal(await readRollupState(db.pool, db.schema, OTHER), null);
    const { rows } = await db.pool.query<{ hours: number }>(
      `SELECT count(DISTINCT bucket)::int AS hours FROM "${db.schema}".workflow_stats_hourly_rollup WHERE namespace = $1`,
      [NS],
    );
    assert.ok(rows[0]!.hours >= 55, `${rows[0]!.hours} hours rolled up`);
    await assertExact(runs);
  });

  it('a later incremental pass moves runs between buckets: open runs that closed, a new run, at its completion', async () => {
    const mine = runs.filter((run) => run.namespace === NS);
    const since = new Date(now.getTime() - 5 * HOUR);
    // Runs that started 30 to 50 hours ago and were open: they closed 2 to 4 hours ago, in hours
    // already rolled up. Their start buckets keep their start; the close buckets gain a close.
    const reopened = mine.filter(
      (run) => run.close_time === null && run.start_time.getTime() < now.getTime() - 30 * HOUR,
    );
    assert.ok(reopened.length >= 3, `${reopened.length} open runs to close`);
    const closed = reopened.map((run, i) => {
      const close = new Date(now.getTime() - (2 + (i % 3)) * HOUR - i * 1000);
      return {
        ...run,
        status: i % 2 === 0 ? 'COMPLETED' : 'FAILED',
        close_time: close,
        execution_time_seconds: (close.getTime() - run.start_time.getTime()) / 1000,
      };
    });
    const fresh: SeedRun = {
      ...mine[0]!,
      workflow_id: 'new-run',
      run_id: 'new-run-1',
      status: 'COMPLETED',
      start_time: new Date(now.getTime() - 3 * HOUR),
      close_time: new Date(now.getTime() - 3 * HOUR + 5000),
      execution_time_seconds: 5,
      deleted_at: null,
    };
    const after = [...runs.map((run) => closed.find((c) => c.workflow_id === run.workflow_id) ?? run), fresh];
    // An incremental pass writes every open run and every run closed since `since`.
    const written = after.filter((run) => run.namespace === NS && (run.close_time === null || run.close_time >= since));
    await pass(false, since, written, async () => {
      // Before the pass completes, the rolled-up hours still show the runs as they were.
      const stale = await view('hourly');
      assert.deepEqual(compareStats(stale, expectedStats(runs, HOUR)), []);
    });
    const state = (await readRollupState(db.pool, db.schema, NS))!;
    assert.equal(state.refreshedFrom?.getTime(), since.getTime());
    assert.ok(state.refreshedHours <= 7, `recomputed ${state.refreshedHours} hours, not the namespace`);
    runs = after;
    await assertExact(runs);
  });

  it('a full pass that no longer sees runs marks them deleted: they still count, in the same buckets', async () => {
    const mine = runs.filter((run) => run.namespace === NS);
    // Past retention: the oldest closed runs (and one open one, which closed where no sync saw it).
    const gone = new Set(
      mine
        .filter((run) => run.start_time.getTime() < now.getTime() - 50 * HOUR)
        .slice(0, 40)
        .map((run) => run.workflow_id),
    );
    assert.ok(gone.size > 10);
    await pass(
      true,
      null,
      mine.filter((run) => !gone.has(run.workflow_id)),
    );
    const { rows } = await db.pool.query<{ deleted: number }>(
      `SELECT count(*)::int AS deleted FROM "${db.schema}".workflow WHERE namespace = $1 AND deleted_at IS NOT NULL
         AND workflow_id = ANY ($2::text[])`,
      [NS, [...gone]],
    );
    assert.equal(rows[0]!.deleted, gone.size);
    await assertExact(runs);
  });

  it('a refresh from a time recomputes from there on; a row changed behind the sync shows once recomputed', async () => {
    // A row rewritten outside the sync in an hour already rolled up (what only a manual edit does): the
    // rollup keeps the old numbers until a refresh covers that hour, then equals the live aggregation.
    const target = runs.find(
      (run) => run.namespace === NS && run.status === 'FAILED' && run.close_time! < new Date(now.getTime() - 20 * HOUR),
    )!;
    await db.pool.query(
      `UPDATE "${db.schema}".workflow SET status = 'COMPLETED' WHERE namespace = $1 AND workflow_id = $2`,
      [NS, target.workflow_id],
    );
    runs = runs.map((run) => (run === target ? { ...run, status: 'COMPLETED' } : run));
    await assert.rejects(assertExact(runs));
    await refreshWorkflowStats(db.pool, db.schema, NS, new Date(target.start_time.getTime() - HOUR));
    await assertExact(runs);
  });
  it('a full recompute over its time budget falls back to the pass since, else to aggregating the namespace live until a full pass', async () => {
    const since = new Date(now.getTime() - 4 * HOUR);
    const timeout = async () =>
      (await db.pool.query<{ t: string }>(`SELECT current_setting('statement_timeout') AS t`)).rows[0]!.t;
    const before = await timeout();
    // 1 ms to recompute every bucket: that statement is cancelled, and rolled back alone.
    const outcome = await inTransaction(db.pool, (client) =>
      refreshAfterPass(client, db.schema, NS, { full: true, since }, { all: 1, since: 60_000 }),
    );
    assert.equal(outcome, 'since, as all took too long');
    const state = (await readRollupState(db.pool, db.schema, NS))!;
    assert.equal(state.refreshedFrom?.getTime(), since.getTime());
    await assertExact(runs);
    assert.equal(await timeout(), before, 'the budget does not outlive the transaction');
    // Without a since (a first full pass), the namespace leaves the rollup: live, and exact.
    assert.equal(
      await inTransaction(db.pool, (client) =>
        refreshAfterPass(client, db.schema, NS, { full: true, since: null }, { all: 1, since: 1 }),
      ),
      'live, as it took too long',
    );
    assert.equal(await readRollupState(db.pool, db.schema, NS), null);
    await assertExact(runs);
    // An incremental pass leaves a namespace out of the rollup live (only a full pass rolls one up).
    assert.equal(
      await inTransaction(db.pool, (client) => refreshAfterPass(client, db.schema, NS, { full: false, since })),
      'live: not rolled up',
    );
    assert.equal(await readRollupState(db.pool, db.schema, NS), null);
    // With time enough, every bucket.
    assert.equal(
      await inTransaction(db.pool, (client) => refreshAfterPass(client, db.schema, NS, { full: true, since: null })),
      'all',
    );
    assert.equal(await timeout(), before);
    assert.ok(await readRollupState(db.pool, db.schema, NS));
    await assertExact(runs);
  });
});

describe('migration 032 on a table that holds runs', () => {
  it('rolls up every namespace the table holds, with the numbers of the live aggregation', async () => {
    const pool = createPool({ databaseUrl: TEST_DATABASE_URL, max: 1, onIdleError: () => {} });
    const schema = `ts_test_rollup_migration_${randomBytes(4).toString('hex')}`;
    try {
      await pool.query(`CREATE SCHEMA "${schema}"`);
      const migrations = await readMigrations();
      const apply = async (which: (version: number) => boolean) => {
        for (const migration of migrations.filter((m) => which(m.version)))
          await pool.query(migration.sql.replaceAll('{{schema}}', `"${schema}"`));
      };
      await apply((version) => version < 32);
      const now = new Date();
      const seeded = [...makeRuns('first', 300, now, 50, 31), ...makeRuns('second', 100, now, 50, 32)];
      await insertRuns(pool, schema, seeded);
      await apply((version) => version >= 32);
      for (const namespace of ['first', 'second']) {
        const state = await readRollupState(pool, schema, namespace);
        assert.equal(state?.through.getTime(), Math.floor(Date.now() / HOUR) * HOUR, namespace);
      }
      for (const [name, width] of [
        ['hourly', HOUR],
        ['daily', DAY],
      ] as const) {
        const { rows } = await pool.query<StatsRow>(`SELECT * FROM "${schema}".workflow_stats_${name}`);
        assert.deepEqual(compareStats(rows, expectedStats(seeded, width)), [], name);
        const { rows: rolled } = await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${schema}".workflow_stats_${name}_rollup`,
        );
        assert.ok(rolled[0]!.n > 0, `${name}: the rollup holds the past`);
      }
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  });
});
