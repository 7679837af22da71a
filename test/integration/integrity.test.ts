import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { STREAM_NAMES } from '../../src/streams/registry';
import { syncInputSchema } from '../../src/workflows/input';
import { comparable, keyed, workflowKey } from '../helpers/compare';
import { createTestDatabase, tableRows, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';
import { expectedWorkflowRows, seedMixedExecutions } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { runSync, startSeedWorker, startSyncWorker, workflowBundleFile, type RunningWorker } from '../helpers/workers';
import { slowWrites } from '../helpers/write-gate';

/** Everything a user could look at to see whether a start changed the sync's state. */
async function snapshot(db: TestDatabase): Promise<Record<string, unknown>> {
  const all = async (sql: string) => (await db.pool.query<{ r: unknown }>(sql)).rows;
  return {
    workflow: await all(`SELECT to_jsonb(t) AS r FROM "${db.schema}".workflow t ORDER BY workflow_id, run_id`),
    schedule: await all(`SELECT to_jsonb(t) AS r FROM "${db.schema}".schedule t ORDER BY schedule_id`),
    syncState: await all(`SELECT to_jsonb(t) AS r FROM "${db.schema}".sync_state t ORDER BY stream`),
    syncRuns: await all(`SELECT to_jsonb(t) AS r FROM "${db.schema}".sync_run t ORDER BY id`),
  };
}

/** The oracle: every execution the server lists has exactly one equal, live row; nothing else is there. */
async function assertTablesEqualServer(temporal: TestTemporal, db: TestDatabase): Promise<void> {
  const expected = await expectedWorkflowRows(temporal.sourceClient);
  const stored = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
  assert.equal(stored.size, expected.length, 'one row per listed execution, nothing extra');
  for (const row of expected) {
    const storedRow = stored.get(workflowKey(row as never));
    assert.ok(storedRow, `a row for ${row.workflow_id}`);
    assert.equal(storedRow.deleted_at, null, `${row.workflow_id} is listed, so it is not marked deleted`);
    assert.deepEqual(comparable(storedRow), comparable(row));
  }
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof WorkflowFailedError, 'the sync failed');
  assert.ok(error.cause instanceof ApplicationFailure, `an application failure, got ${String(error.cause)}`);
  return error.cause;
}

describe('a sync cannot be led astray by what its caller sends', () => {
  let temporal: TestTemporal;
  let seed: RunningWorker;
  let db: TestDatabase;
  let worker: RunningWorker;

  before(async () => {
    temporal = await startTemporal();
    seed = await startSeedWorker(temporal);
    await seedMixedExecutions(temporal.sourceClient, 'integrity', 2);
    db = await createTestDatabase('integrity');
    worker = await startSyncWorker(temporal, db);
    await runSync(temporal, worker, { mode: 'full' });
    await runSync(temporal, worker, { mode: 'incremental' });
  });
  after(async () => {
    await worker?.stop();
    await db?.dispose();
    await seed?.stop();
    await temporal?.stop();
  });

  const crafted: Array<{ label: string; input: unknown; names: RegExp }> = [
    {
      label: "the issue's continuation: another run's record, a query matching nothing, a cursor in 2999",
      input: {
        continuation: {
          syncRunId: '2',
          startedAt: '2999-01-01T00:00:00Z',
          continuedAsNew: 0,
          streams: {
            workflows: {
              full: true,
              query: 'WorkflowId = "no-such-id"',
              pageToken: null,
              pages: 0,
              rows: 0,
              deleted: 0,
              done: false,
            },
          },
        },
      },
      names: /continuation/,
    },
    {
      label: 'a continuation with a malformed run ID',
      input: { continuation: { syncRunId: 'abc' } },
      names: /continuation/,
    },
    {
      label: 'a continuation with a bad date and a bad page token',
      input: {
        continuation: {
          syncRunId: '1',
          startedAt: 'yesterday',
          continuedAsNew: 0,
          streams: {
            workflows: { full: false, query: '', pageToken: '%%%', pages: 0, rows: 0, deleted: 0, done: false },
          },
        },
      },
      names: /continuation/,
    },
    {
      label: 'a continue-as-new reference to another run',
      input: { continueRun: { syncRunId: '1' } },
      names: /continueRun/,
    },
    {
      label: 'a continue-as-new reference to no run',
      input: { continueRun: { syncRunId: '999999' } },
      names: /continueRun/,
    },
    {
      label: 'a continue-as-new reference that is not a run ID',
      input: { continueRun: { syncRunId: 'x' } },
      names: /continueRun/,
    },
    { label: 'an unknown stream', input: { streams: ['workflows', 'secrets'] }, names: /streams/ },
    { label: 'a namespace this worker does not sync', input: { namespace: 'default' }, names: /namespace/ },
  ];
  // Every field a caller can send, with a continue-as-new reference to a real run and destination.
  crafted.push({
    label: 'every field, with a well-formed reference to the first run and the real destination',
    input: 'EVERY_FIELD',
    names: /continueRun/,
  });
  const inputFor = async (input: unknown) => {
    if (input !== 'EVERY_FIELD') return input;
    const { rows } = await db.pool.query<{ id: string }>(`SELECT id::text AS id FROM "${db.schema}".installation`);
    const every = {
      mode: 'full',
      streams: [...STREAM_NAMES],
      namespace: SOURCE_NAMESPACE,
      pageSize: 7,
      lookbackSeconds: 0,
      activityMaxSeconds: 0,
      heartbeatTimeoutSeconds: 5,
      continueAsNewAfterActivities: 1,
      partitions: 8,
      minRowsPerPartition: 1,
      visibilityRps: 100,
      continueRun: { syncRunId: '1', destination: rows[0]!.id },
    };
    // A field added to the input later joins this case, or this fails.
    assert.deepEqual(Object.keys(every).sort(), Object.keys(syncInputSchema.shape).sort());
    return every;
  };

  let crafts = 0;
  for (const { label, input, names } of crafted) {
    it(`fails at once, naming the field, and changes nothing: ${label}`, async () => {
      const before = await snapshot(db);
      const started = Date.now();
      // Bounded, so a run that retries instead of failing ends the test instead of hanging it.
      const run = temporal.client.workflow.execute('SyncWorkflow', {
        taskQueue: worker.taskQueue,
        workflowId: `crafted-${++crafts}`,
        workflowExecutionTimeout: '45 seconds',
        args: [await inputFor(input)],
      });
      const cause = await failure(run);
      assert.equal(cause.nonRetryable, true, 'retrying cannot fix it');
      assert.match(cause.message, names);
      assert.ok(Date.now() - started < 30_000, `failed within 30 s (took ${Date.now() - started} ms)`);
      const after = await snapshot(db);
      const earlierRuns = (after.syncRuns as Array<{ r: { id: number } }>).filter(
        (run) => run.r.id <= (before.syncRuns as Array<{ r: { id: number } }>).at(-1)!.r.id,
      );
      assert.deepEqual(
        { ...after, syncRuns: earlierRuns },
        before,
        'tables, cursors and earlier run records unchanged',
      );
      await assertTablesEqualServer(temporal, db);
    });
  }

  it('records a run refused for its input as failed, with the reason, so status and alerts see it', async () => {
    const workflowId = `typo-${Date.now()}`;
    const cause = await failure(runSync(temporal, worker, { mode: 'fulll' } as never, workflowId));
    assert.match(cause.message, /mode/);
    const { rows } = await db.pool.query<{ status: string; error: string }>(
      `SELECT status, error FROM "${db.schema}".sync_run WHERE workflow_id = $1`,
      [workflowId],
    );
    assert.equal(rows.length, 1, 'one sync_run record for the refused run');
    assert.equal(rows[0]!.status, 'failed');
    assert.match(rows[0]!.error, /mode/);
    const { rows: incidents } = await db.pool.query<{ kind: string }>(
      `SELECT kind FROM "${db.schema}".alert_incident WHERE closed_at IS NULL`,
    );
    assert.deepEqual(
      incidents.map((incident) => incident.kind),
      ['sync_failed'],
      'an incident is open for the failure',
    );
    // A good run closes it again, as for any failure.
    await runSync(temporal, worker, { mode: 'incremental' });
  });
});

describe('a run records what it wrote and how it ended, whoever ended it', () => {
  let temporal: TestTemporal;
  let seed: RunningWorker;
  let runs: number;

  before(async () => {
    temporal = await startTemporal();
    seed = await startSeedWorker(temporal);
    runs = (await seedMixedExecutions(temporal.sourceClient, 'ends', 2)).runs;
  });
  after(async () => {
    await seed?.stop();
    await temporal?.stop();
  });

  async function withWorker(label: string, body: (db: TestDatabase, worker: RunningWorker) => Promise<void>) {
    const db = await createTestDatabase(label);
    const worker = await startSyncWorker(temporal, db);
    try {
      await body(db, worker);
    } finally {
      await worker.stop();
      await db.dispose();
    }
  }

  const runRecord = async (db: TestDatabase, workflowId: string) =>
    (
      await db.pool.query<{
        status: string;
        error: string | null;
        rows_per_stream: Record<string, number>;
        id: string;
      }>(`SELECT id::text, status, error, rows_per_stream FROM "${db.schema}".sync_run WHERE workflow_id = $1`, [
        workflowId,
      ])
    ).rows[0];

  it('a failed run records every row it wrote, however far it got', async () => {
    await withWorker('rows_recorded', async (db, worker) => {
      // After 30 rows every write is refused as a revoked privilege would be: the run fails mid-pass.
      await db.pool.query(`
        CREATE FUNCTION "${db.schema}".deny_late() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF (SELECT count(*) FROM "${db.schema}".workflow) >= 30 THEN
            RAISE EXCEPTION 'permission denied for table workflow' USING ERRCODE = '42501';
          END IF;
          RETURN NULL;
        END $$;
        CREATE TRIGGER deny_late BEFORE INSERT ON "${db.schema}".workflow
          FOR EACH STATEMENT EXECUTE FUNCTION "${db.schema}".deny_late();`);
      const workflowId = 'fails-mid-pass';
      await failure(runSync(temporal, worker, { mode: 'full', streams: ['workflows'], pageSize: 10 }, workflowId));
      const record = await runRecord(db, workflowId);
      assert.equal(record?.status, 'failed');
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${db.schema}".workflow WHERE sync_run_id = $1`,
        [record.id],
      );
      assert.ok(rows[0]!.n >= 30, `the run wrote rows before it failed (${rows[0]!.n})`);
      assert.equal(record.rows_per_stream.workflows, rows[0]!.n, 'the record counts every row that carries its ID');
    });
  });

  it('a terminated run is recorded as terminated, counted as a failure, and not left running', async () => {
    await withWorker('terminated', async (db, worker) => {
      const slow = await slowWrites(db.pool, db.schema, 'workflow', 0, 300);
      const handle = await temporal.client.workflow.start('SyncWorkflow', {
        taskQueue: worker.taskQueue,
        workflowId: 'terminated-sync',
        args: [{ mode: 'full', streams: ['workflows'], pageSize: 10 }],
      });
      await waitFor('a page written', async () => {
        const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db.schema}".workflow`);
        return rows[0]!.n > 0 ? true : undefined;
      });
      await handle.terminate('operator stopped it');
      await slow.remove();
      // The next sync (or the staleness check) reconciles the records of runs that ended outside their code.
      await runSync(temporal, worker, { mode: 'incremental', streams: ['workflows'] });
      const record = await runRecord(db, 'terminated-sync');
      assert.equal(record?.status, 'terminated');
      assert.match(record.error ?? '', /terminated/i);
      const { rows: incidents } = await db.pool.query<{ occurrences: number }>(
        `SELECT occurrences FROM "${db.schema}".alert_incident WHERE kind = 'sync_failed'`,
      );
      assert.equal(incidents.length, 1, 'the termination opened an incident');
      void runs;
    });
  });

  it('a run past its execution timeout is recorded as timed out', async () => {
    await withWorker('timed_out', async (db, worker) => {
      const slow = await slowWrites(db.pool, db.schema, 'workflow', 0, 500);
      const handle = await temporal.client.workflow.start('SyncWorkflow', {
        taskQueue: worker.taskQueue,
        workflowId: 'timed-out-sync',
        workflowExecutionTimeout: '3 seconds',
        args: [{ mode: 'full', streams: ['workflows'], pageSize: 10 }],
      });
      await handle.result().catch(() => undefined);
      await slow.remove();
      await runSync(temporal, worker, { mode: 'incremental', streams: ['workflows'] });
      const record = await runRecord(db, 'timed-out-sync');
      assert.equal(record?.status, 'timed_out');
    });
  });
});

describe('a run writes only to the destination it was planned for', () => {
  let temporal: TestTemporal;
  let seed: RunningWorker;
  const dbs: TestDatabase[] = [];
  const processes: WorkerProcess[] = [];

  before(async () => {
    temporal = await startTemporal();
    seed = await startSeedWorker(temporal);
    await seedMixedExecutions(temporal.sourceClient, 'destinations', 2);
    dbs.push(await createTestDatabase('dest_main'), await createTestDatabase('dest_other'));
  });
  after(async () => {
    for (const worker of processes) await worker.stop('SIGKILL');
    for (const db of dbs) await db.dispose();
    await seed?.stop();
    await temporal?.stop();
  });

  /** A deployment of its own: a worker process with its own schema, on the task queue given. */
  const deploy = async (db: TestDatabase, taskQueue: string) => {
    const worker = spawnWorker({
      DATABASE_URL: TEST_DATABASE_URL,
      TEMPORAL_SYNC_SCHEMA: db.schema,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_SYNC_SOURCE_NAMESPACE: SOURCE_NAMESPACE,
      TEMPORAL_SYNC_TASK_QUEUE: taskQueue,
      TEMPORAL_SYNC_WORKFLOW_BUNDLE: await workflowBundleFile(),
    });
    processes.push(worker);
    return worker;
  };

  it('a worker refuses to start on a task queue polled by a worker with another destination, naming the setting', async () => {
    const taskQueue = 'shared-queue-start-check';
    await (await deploy(dbs[0]!, taskQueue)).waitForOutput(/worker ready/);
    const second = await deploy(dbs[1]!, taskQueue);
    const code = await Promise.race([
      second.exited,
      new Promise((resolve) => setTimeout(() => resolve('running'), 20_000)),
    ]);
    assert.equal(code, 2, `the second worker exits with a settings error:\n${second.output()}`);
    assert.match(second.output(), /TEMPORAL_SYNC_TASK_QUEUE/);
  });

  it('two workers with different destinations on one queue fail the sync loudly instead of splitting it', async () => {
    // Started together, neither usually sees the other at start (a poller shows only once it polls): the
    // run itself must notice. When the start check does catch one, the pair is started again on a new queue.
    let taskQueue = '';
    for (let attempt = 1; ; attempt += 1) {
      taskQueue = `shared-queue-race-${attempt}`;
      const both = await Promise.all(dbs.map((db) => deploy(db, taskQueue)));
      const started = await Promise.all(
        both.map((worker) =>
          worker.waitForOutput(/worker ready/).then(
            () => true,
            () => false,
          ),
        ),
      );
      if (started.every(Boolean)) break;
      for (const worker of both) await worker.stop('SIGKILL');
      assert.ok(attempt < 5, 'two workers started together on one queue at least once in 5 tries');
    }
    const cause = await failure(
      temporal.client.workflow.execute('SyncWorkflow', {
        taskQueue,
        workflowId: 'split-sync',
        workflowExecutionTimeout: '2 minutes',
        args: [{ mode: 'full', streams: ['workflows'], pageSize: 5, activityMaxSeconds: 0 }],
      }),
    );
    assert.match(cause.message, /destination/i);
    assert.equal(cause.nonRetryable, true);
    const recorded = await Promise.all(
      dbs.map(
        async (db) =>
          (
            await db.pool.query<{ status: string }>(
              `SELECT status FROM "${db.schema}".sync_run WHERE workflow_id = 'split-sync'`,
            )
          ).rows,
      ),
    );
    assert.deepEqual(
      recorded.flat().map((run) => run.status),
      ['failed'],
      'one record, in the planned destination, says failed',
    );
  });
});
