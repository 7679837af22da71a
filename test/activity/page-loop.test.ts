import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities, type SyncActivities } from '../../src/activities';
import type { PartitionProgress, PartitionRequest, PlanRequest, RunPlan } from '../../src/activities/types';
import { readDestinationId } from '../../src/db/installation';
import { executionToRow, type RawExecutionInfo } from '../../src/source/executions';
import { DEFAULT_STREAM_SETTINGS } from '../../src/config';
import { singleSource } from '../../src/temporal/sources';
import { comparable, keyed, workflowKey } from '../helpers/compare';
import { createTestDatabase, tableRows, type TestDatabase } from '../helpers/postgres';
import { expectedWorkflowRows, seedMixedExecutions } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { startSeedWorker, type RunningWorker } from '../helpers/workers';

/**
 * The page loop (syncPartition) through the real activities, run in MockActivityEnvironment so a test
 * can play the worker: retry an attempt, cancel it at a heartbeat, shut the worker down, or run two
 * attempts at once. The source is a real dev server, the destination the real Postgres.
 */

const PAGE_SIZE = 10;
const quiet = new DefaultLogger('WARN');

/** env.run cannot infer an activity's result type: this names it. */
function runIn<P extends unknown[], R>(
  env: MockActivityEnvironment,
  fn: (...args: P) => Promise<R>,
  ...args: P
): Promise<R> {
  return env.run<P, R, typeof fn>(fn, ...args);
}

interface PartitionRow {
  pages: number;
  rows: number;
  done: boolean;
  has_token: boolean;
  resumed_at_pages: number[];
}

describe('the page loop in a mock activity environment', { timeout: 300_000 }, () => {
  let temporal: TestTemporal;
  let seedWorker: RunningWorker;
  /** The source's listing at the test's page size, read straight from the server. */
  let listing: RawExecutionInfo[][];
  let total: number;
  const databases: TestDatabase[] = [];

  before(async () => {
    temporal = await startTemporal();
    seedWorker = await startSeedWorker(temporal);
    await seedMixedExecutions(temporal.sourceClient, 'page-loop', 2);
    listing = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await temporal.sourceClient.workflowService.listWorkflowExecutions({
        namespace: SOURCE_NAMESPACE,
        pageSize: PAGE_SIZE,
        nextPageToken,
        query: '',
      });
      listing.push(page.executions);
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    total = listing.reduce((n, page) => n + page.length, 0);
    assert.ok(total >= 60 && listing.length >= 6, `seeded ${total} executions in ${listing.length} pages`);
  });
  afterEach(async () => {
    for (const db of databases.splice(0)) await db.dispose();
  });
  after(async () => {
    await seedWorker?.stop();
    await temporal?.stop();
  });

  /** A destination of its own and the real activities writing to it (as a worker would build them). */
  async function worker(label: string, draining?: AbortSignal) {
    const db = await createTestDatabase(`page_loop_${label}`);
    databases.push(db);
    const destination = await readDestinationId(db.pool, db.schema);
    const activitiesOf = (signal?: AbortSignal) =>
      createActivities({
        pool: db.pool,
        schema: db.schema,
        destination,
        sources: singleSource(SOURCE_NAMESPACE, temporal.sourceClient),
        workerClient: temporal.client,
        secrets: [],
        visibilityRps: 1000,
        streamSettings: DEFAULT_STREAM_SETTINGS,
        draining: signal,
      });
    const acts = activitiesOf(draining);
    const planRequest: PlanRequest = {
      workflowId: `page-loop-${label}`,
      runId: randomUUID(),
      mode: 'full',
      minRowsPerPartition: 10_000,
      streams: ['workflows'],
      pageSize: PAGE_SIZE,
      partitions: 1,
      lookbackSeconds: 300,
    };
    const plan = await runIn(
      new MockActivityEnvironment(undefined, { logger: quiet }),
      (r: PlanRequest) => acts.planSyncRun(r),
      planRequest,
    );
    assert.deepEqual(
      plan.streams.map((s) => [s.stream, s.partitions.length]),
      [['workflows', 1]],
    );
    const request = (overrides: Partial<PartitionRequest> = {}): PartitionRequest => ({
      syncRunId: plan.syncRunId,
      destination: plan.destination,
      stream: 'workflows',
      partition: 0,
      maxSeconds: 60,
      visibilityCallsPerSecond: 1000,
      ...overrides,
    });
    return { db, acts, plan, request, activitiesOf };
  }

  function environment(attempt = 1) {
    const env = new MockActivityEnvironment({ attempt }, { logger: quiet });
    const pagesHeartbeated: number[] = [];
    // Every heartbeat carries the partition's committed pages (liveness beats while waiting repeat them):
    // a page boundary is where the number moves on.
    let last: number | undefined;
    env.on('heartbeat', (details: unknown) => {
      if (!details || typeof details !== 'object' || !('pages' in details)) return;
      const pages = Number(details.pages);
      if (last !== undefined && pages !== last) pagesHeartbeated.push(pages);
      last = pages;
    });
    return { env, pagesHeartbeated };
  }

  /** The partition's numbers an attempt reports, once the lane's call times it hands on are checked. */
  const syncPartition = async (
    env: MockActivityEnvironment,
    acts: SyncActivities,
    request: PartitionRequest,
  ): Promise<PartitionProgress> => {
    const { visibilityCalls, ...progress } = await runIn(env, acts.syncPartition, request);
    const calls = visibilityCalls ?? [];
    assert.ok(
      calls.length <= request.visibilityCallsPerSecond,
      `${calls.length} calls handed on, over the lane's share`,
    );
    for (const at of calls) assert.ok(Math.abs(Date.now() - at) < 60_000, `a call time of now, not ${at}`);
    return progress;
  };

  async function partitionRow(db: TestDatabase, plan: RunPlan): Promise<PartitionRow> {
    const { rows } = await db.pool.query<PartitionRow>(
      `SELECT pages, rows::int AS rows, done, page_token IS NOT NULL AS has_token, resumed_at_pages
       FROM "${db.schema}".sync_partition WHERE sync_run_id = $1 AND stream = 'workflows' AND partition = 0`,
      [plan.syncRunId],
    );
    assert.equal(rows.length, 1);
    return rows[0]!;
  }

  /** The workflow rows the run last wrote, keyed by workflow and run ID. */
  async function rowsOfRun(db: TestDatabase, plan: RunPlan) {
    const rows = await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE);
    return keyed(
      rows.filter((row) => String(row.sync_run_id) === plan.syncRunId),
      workflowKey,
    );
  }

  /** The rows equal the server's listing: one per execution, each as the server reports it. */
  async function assertRowsEqualListing(db: TestDatabase, plan: RunPlan): Promise<void> {
    const expected = await expectedWorkflowRows(temporal.sourceClient);
    const stored = await rowsOfRun(db, plan);
    assert.equal(stored.size, expected.length, 'one row per listed execution');
    for (const row of expected) {
      const found = stored.get(workflowKey(row as unknown as Record<string, unknown>));
      assert.ok(found, `no row for ${row.workflow_id} / ${row.run_id}`);
      assert.deepEqual(comparable(found), comparable(row), `row of ${row.workflow_id}`);
    }
  }

  it('resumes a retried attempt at the first page not committed, and counts every page once', async () => {
    const { db, acts, plan, request } = await worker('resume');

    const first = environment(1);
    const progress = await syncPartition(first.env, acts, request({ maxSeconds: 0 }));
    assert.deepEqual(progress, { partition: 0, pages: 1, rows: listing[0]!.length, done: false, resumedAtPages: [] });
    assert.deepEqual(await partitionRow(db, plan), {
      pages: 1,
      rows: listing[0]!.length,
      done: false,
      has_token: true,
      resumed_at_pages: [],
    });
    const firstPage = await rowsOfRun(db, plan);
    const firstPageKeys = listing[0]!.map((info) =>
      workflowKey(executionToRow(SOURCE_NAMESPACE, info) as unknown as Record<string, unknown>),
    );
    assert.deepEqual(
      [...firstPage.keys()].sort(),
      [...firstPageKeys].sort(),
      'the rows of the first page, and only those',
    );
    for (const info of listing[0]!) {
      const row = executionToRow(SOURCE_NAMESPACE, info);
      assert.deepEqual(
        comparable(firstPage.get(workflowKey(row as unknown as Record<string, unknown>))!),
        comparable(row),
      );
    }

    const retry = environment(2);
    const resumed = await syncPartition(retry.env, acts, request());
    assert.deepEqual(
      retry.pagesHeartbeated,
      Array.from({ length: listing.length - 1 }, (_, i) => i + 2),
      'the retry starts at page 2',
    );
    assert.deepEqual(await partitionRow(db, plan), {
      pages: listing.length,
      rows: total,
      done: true,
      has_token: false,
      resumed_at_pages: [2],
    });
    await assertRowsEqualListing(db, plan);

    const again = await syncPartition(environment(3).env, acts, request());
    const expected = { partition: 0, pages: listing.length, rows: total, done: true, resumedAtPages: [2] };
    assert.deepEqual(again, expected, 'a done partition is not read again, and reports what it holds');
    // What the workflow's ledger (progress query, summary) gets from the attempt that resumed.
    assert.deepEqual(resumed, expected, 'the resumed attempt reports where it resumed');
  });

  it('stops at a page boundary when cancelled at a heartbeat, with what it committed recorded exactly', async () => {
    const { db, acts, plan, request } = await worker('cancel');
    const { env, pagesHeartbeated } = environment();
    env.on('heartbeat', () => {
      if (pagesHeartbeated.length === 1) env.cancel();
    });
    await assert.rejects(syncPartition(env, acts, request()), CancelledFailure);
    const row = await partitionRow(db, plan);
    assert.deepEqual(row, { pages: 1, rows: listing[0]!.length, done: false, has_token: true, resumed_at_pages: [] });
    const stored = await rowsOfRun(db, plan);
    assert.equal(stored.size, row.rows, 'the rows carrying the run equal what its partition counted');
  });

  it('commits nothing when cancelled before its first page', async () => {
    const { db, acts, plan, request } = await worker('cancel_early');
    const env = new MockActivityEnvironment(undefined, { logger: quiet });
    env.once('heartbeat', () => env.cancel());
    await assert.rejects(syncPartition(env, acts, request()), CancelledFailure);
    assert.deepEqual(await partitionRow(db, plan), {
      pages: 0,
      rows: 0,
      done: false,
      has_token: false,
      resumed_at_pages: [],
    });
    assert.equal((await rowsOfRun(db, plan)).size, 0);
  });

  it('hands the partition back after one page when the worker is draining, and a later call finishes it', async () => {
    const drain = new AbortController();
    drain.abort();
    const { db, acts, plan, request, activitiesOf } = await worker('drain', drain.signal);
    const progress = await syncPartition(environment().env, acts, request());
    assert.deepEqual(progress, { partition: 0, pages: 1, rows: listing[0]!.length, done: false, resumedAtPages: [] });
    assert.deepEqual(await partitionRow(db, plan), {
      pages: 1,
      rows: listing[0]!.length,
      done: false,
      has_token: true,
      resumed_at_pages: [],
    });
    assert.equal((await rowsOfRun(db, plan)).size, listing[0]!.length);

    // The workflow schedules the rest at once: a new activity (attempt 1) on a worker that is not draining.
    const rest = await syncPartition(environment().env, activitiesOf(), request());
    assert.deepEqual(rest, { partition: 0, pages: listing.length, rows: total, done: true, resumedAtPages: [] });
    await assertRowsEqualListing(db, plan);
  });

  it('writes no page twice when two attempts of one partition run at once', async () => {
    const { db, acts, plan, request } = await worker('concurrent');
    const results = await Promise.all([
      syncPartition(environment(1).env, acts, request({ visibilityCallsPerSecond: 20 })),
      syncPartition(environment(2).env, acts, request({ visibilityCallsPerSecond: 20 })),
    ]);
    assert.ok(
      results.some((r) => r.done),
      `one attempt finishes: ${JSON.stringify(results)}`,
    );
    const row = await partitionRow(db, plan);
    assert.equal(row.pages, listing.length, 'pages counted once each');
    assert.equal(row.rows, total, 'rows counted once each');
    assert.equal(row.done, true);
    await assertRowsEqualListing(db, plan);
  });

  it('writes no page twice when a retry starts while the timed-out attempt is still reading', async () => {
    const { db, acts, plan, request } = await worker('overlap');
    const first = environment(1);
    let second: Promise<PartitionProgress> | undefined;
    first.env.on('heartbeat', () => {
      if (first.pagesHeartbeated.length === 2 && !second) {
        second = syncPartition(environment(2).env, acts, request({ visibilityCallsPerSecond: 5 }));
      }
    });
    const firstResult = await syncPartition(first.env, acts, request({ visibilityCallsPerSecond: 5 }));
    assert.ok(second, 'the retry started while the first attempt was reading');
    const secondResult = await second;
    assert.ok(
      firstResult.done || secondResult.done,
      `one attempt finishes: ${JSON.stringify([firstResult, secondResult])}`,
    );
    const row = await partitionRow(db, plan);
    assert.equal(row.pages, listing.length, 'pages counted once each');
    assert.equal(row.rows, total, 'rows counted once each');
    assert.deepEqual(row.resumed_at_pages, [3], 'the retry picked up after the 2 committed pages');
    await assertRowsEqualListing(db, plan);
  });
});
