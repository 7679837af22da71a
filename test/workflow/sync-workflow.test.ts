import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type {
  FinishRequest,
  PartitionProgress,
  PartitionReport,
  PartitionRequest,
  PlanRequest,
  ResumeRequest,
  RunPlan,
  RunRef,
} from '../../src/activities/types';
import { WORKFLOWS_PATH } from '../../src/sync-worker';
import type { SyncSummary } from '../../src/workflows/ledger';
import { startTemporal, type TestTemporal } from '../helpers/temporal';
import { bundleOnce } from '../helpers/workers';

/**
 * SyncWorkflow's story with its activities replaced by a fake that keeps the run's state in memory:
 * what the workflow calls, how many at once, with what, and in which order. The workflow code, the
 * worker and the server are real; Postgres and the source are not involved (the activity and
 * integration tests cover them).
 */

const DESTINATION = '6f1c1d2e-8a5b-4c3d-9e0f-112233445566';
const SYNC_RUN_ID = '7';

interface FakeStream {
  stream: string;
  full: boolean;
  /** How many chunks each partition takes until it is done. */
  chunks: number[];
  deletes: number;
}

type Behaviour = 'normal' | 'fail' | 'hang';

interface FakeOptions {
  streams: FakeStream[];
  chunkMs?: number;
  /** What a chunk of this partition does (default: normal). */
  behaviour?: (request: PartitionRequest) => Behaviour;
}

interface Call {
  name: string;
  runId: string;
  request: unknown;
}

/** Each chunk writes this much. */
const PAGES_PER_CHUNK = 2;
const ROWS_PER_CHUNK = 20;

function createFake(options: FakeOptions) {
  const calls: Call[] = [];
  const events: string[] = [];
  const violations: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let chunksStarted = 0;
  let continuedAsNew = 0;
  let settings: RunPlan['settings'] | undefined;
  let startedAt = '';
  const state = options.streams.map((s) => ({
    ...s,
    completed: false,
    deleted: 0,
    partitions: s.chunks.map((needed, partition) => ({ partition, needed, chunks: 0, pages: 0, rows: 0, done: false })),
  }));
  const streamOf = (name: string) => {
    const found = state.find((s) => s.stream === name);
    if (!found) throw ApplicationFailure.nonRetryable(`the fake has no ${name} stream`);
    return found;
  };
  const record = (name: string, request: unknown) => {
    calls.push({ name, runId: Context.current().info.workflowExecution?.runId ?? '', request });
  };
  const progressOf = (p: (typeof state)[number]['partitions'][number]): PartitionProgress => ({
    partition: p.partition,
    pages: p.pages,
    rows: p.rows,
    done: p.done,
    resumedAtPages: [],
  });
  const plan = (): RunPlan => ({
    syncRunId: SYNC_RUN_ID,
    destination: DESTINATION,
    namespace: 'sync-source',
    mode: 'full',
    startedAt,
    continuedAsNew,
    settings: settings!,
    streams: state.map((s) => ({
      stream: s.stream,
      full: s.full,
      deleted: s.deleted,
      completed: s.completed,
      partitions: s.partitions.map(progressOf),
    })),
  });

  async function hang(key: string): Promise<never> {
    const context = Context.current();
    try {
      for (;;) {
        context.heartbeat();
        await context.sleep(100);
      }
    } catch (error) {
      if (error instanceof CancelledFailure) events.push(`cancelled ${key}`);
      throw error;
    }
  }

  const activities = {
    reconcileRuns(request: { namespace?: string }) {
      record('reconcileRuns', request);
      return Promise.resolve({ alerts: [] });
    },
    planSyncRun(request: PlanRequest): Promise<RunPlan> {
      record('planSyncRun', request);
      startedAt = new Date().toISOString();
      settings = {
        pageSize: request.pageSize ?? 1000,
        partitions: request.partitions ?? 4,
        minRowsPerPartition: request.minRowsPerPartition,
        visibilityRps: request.visibilityRps ?? 1000,
        lookbackSeconds: request.lookbackSeconds,
      };
      // The plan made no visibility call worth counting: the lanes start with nothing charged.
      return Promise.resolve({ ...plan(), visibilityCalls: [] });
    },
    resumeSyncRun(request: ResumeRequest): Promise<RunPlan> {
      record('resumeSyncRun', request);
      continuedAsNew += 1;
      return Promise.resolve(plan());
    },
    async syncPartition(request: PartitionRequest): Promise<PartitionReport> {
      record('syncPartition', request);
      // Each chunk reports one "call time" of its own, to follow where the workflow hands it on.
      const handedOn = chunksStarted++;
      const key = `${request.stream}/${request.partition}`;
      const partition = streamOf(request.stream).partitions[request.partition];
      if (!partition) throw ApplicationFailure.nonRetryable(`no partition ${key}`);
      if (partition.done) violations.push(`${key} was called again after it reported done`);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      events.push(`started ${key}`);
      try {
        const behaviour = options.behaviour?.(request) ?? 'normal';
        if (behaviour === 'hang') return await hang(key);
        await sleep(options.chunkMs ?? 300);
        if (behaviour === 'fail') {
          throw ApplicationFailure.create({
            type: 'PartitionBroken',
            message: `the source refused ${key}`,
            nonRetryable: true,
          });
        }
        partition.chunks += 1;
        partition.pages += PAGES_PER_CHUNK;
        partition.rows += ROWS_PER_CHUNK;
        partition.done = partition.chunks >= partition.needed;
        return { ...progressOf(partition), visibilityCalls: [handedOn] };
      } finally {
        inFlight -= 1;
        events.push(`settled ${key}`);
      }
    },
    completeStream(request: RunRef & { stream: string }): Promise<{ deleted: number }> {
      record('completeStream', request);
      const stream = streamOf(request.stream);
      const open = stream.partitions.filter((p) => !p.done).map((p) => p.partition);
      if (open.length > 0) violations.push(`${request.stream} completed with partitions ${open.join(', ')} open`);
      if (stream.completed) violations.push(`${request.stream} completed twice`);
      stream.completed = true;
      stream.deleted = stream.deletes;
      events.push(`completed ${request.stream}`);
      return Promise.resolve({ deleted: stream.deleted });
    },
    finishSyncRun(request: FinishRequest) {
      record('finishSyncRun', request);
      events.push(`finished ${request.status}`);
      return Promise.resolve({ rowsPerStream: {}, pagesPerStream: {}, deletedPerStream: {} });
    },
    recordRejectedRun(request: { workflowId: string; runId: string; error: string }) {
      record('recordRejectedRun', request);
      return Promise.resolve({ syncRunId: '99' });
    },
    decideOnOutcome(request: { syncRunId: string; outcome: 'completed' | 'failed' }) {
      record('decideOnOutcome', request);
      return Promise.resolve({ alerts: [] });
    },
  };
  return {
    activities,
    calls,
    events,
    violations,
    maxInFlight: () => maxInFlight,
    callsOf: <T>(name: string) => calls.filter((call) => call.name === name).map((call) => call.request as T),
  };
}

type Fake = ReturnType<typeof createFake>;

const STORY: FakeStream[] = [
  { stream: 'workflows', full: true, chunks: [1, 2, 3, 2], deletes: 3 },
  { stream: 'schedules', full: true, chunks: [1], deletes: 0 },
];

describe('SyncWorkflow with fake activities', { timeout: 180_000 }, () => {
  let temporal: TestTemporal;

  before(async () => {
    temporal = await startTemporal();
    await bundleOnce(WORKFLOWS_PATH);
  });
  after(async () => {
    await temporal?.stop();
  });

  /** Runs SyncWorkflow on a worker of its own with the fake's activities; resolves with the outcome. */
  async function runWith(fake: Fake, input: unknown) {
    const taskQueue = `fake-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({
      connection: temporal.env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleOnce(WORKFLOWS_PATH),
      activities: fake.activities,
      maxHeartbeatThrottleInterval: '200 milliseconds',
    });
    const workflowId = `sync-fake-${randomBytes(4).toString('hex')}`;
    return worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start('SyncWorkflow', { taskQueue, workflowId, args: [input] });
      const outcome = await handle.result().then(
        (summary: SyncSummary) => ({ summary, error: undefined }),
        (error: unknown) => ({ summary: undefined, error }),
      );
      return { ...outcome, workflowId, firstRunId: handle.firstExecutionRunId };
    });
  }

  it('reads every partition a few at once, completes each stream after its partitions, and records the end', async () => {
    const fake = createFake({ streams: STORY });
    const started = Date.now();
    const { summary, error } = await runWith(fake, {
      mode: 'full',
      partitions: 4,
      visibilityRps: 10,
      pageSize: 10,
      activityMaxSeconds: 5,
    });
    const elapsed = Date.now() - started;
    assert.equal(error, undefined, `the run completes: ${String(error)}`);
    assert.deepEqual(fake.violations, []);

    const chunks = fake.callsOf<PartitionRequest>('syncPartition');
    const perPartition = (stream: string, partition: number) =>
      chunks.filter((c) => c.stream === stream && c.partition === partition).length;
    assert.deepEqual(
      [0, 1, 2, 3].map((p) => perPartition('workflows', p)),
      [1, 2, 3, 2],
      'each workflows partition is called until it is done, and no more',
    );
    assert.equal(perPartition('schedules', 0), 1);
    for (const chunk of chunks) {
      assert.deepEqual(
        { ...chunk, stream: undefined, partition: undefined, visibilityCallsPerSecond: 0, visibilityHistory: [] },
        {
          syncRunId: SYNC_RUN_ID,
          destination: DESTINATION,
          stream: undefined,
          partition: undefined,
          maxSeconds: 5,
          visibilityCallsPerSecond: 0,
          visibilityHistory: [],
        },
      );
    }
    // A budget of 10 calls/s over 4 lanes: whole shares that add up to it, 3, 3, 2 and 2, the four
    // lanes' first chunks starting with the plan's calls (none here).
    // (The worker may start the first four in any order.)
    assert.deepEqual(
      chunks
        .slice(0, 4)
        .map((c) => [c.visibilityCallsPerSecond, c.visibilityHistory])
        .sort(),
      [
        [2, []],
        [2, []],
        [3, []],
        [3, []],
      ],
    );
    // Every later chunk counts the calls of the chunk its lane ran before it: each handed on once.
    const handedOn = chunks.slice(4).map((c) => c.visibilityHistory?.[0]);
    assert.ok(
      handedOn.every((index) => index !== undefined && index < chunks.length),
      `every later chunk got an earlier chunk's calls: ${JSON.stringify(handedOn)}`,
    );
    assert.equal(new Set(handedOn).size, handedOn.length, "no chunk's calls were handed on twice");
    for (const chunk of chunks) assert.ok([2, 3].includes(chunk.visibilityCallsPerSecond));

    assert.deepEqual(
      fake
        .callsOf<{ stream: string }>('completeStream')
        .map((c) => c.stream)
        .sort(),
      ['schedules', 'workflows'],
      'each stream completed once',
    );
    assert.deepEqual(fake.callsOf('finishSyncRun'), [
      { syncRunId: SYNC_RUN_ID, destination: DESTINATION, status: 'completed', error: null },
    ]);
    const finishedAt = fake.events.indexOf('finished completed');
    assert.equal(
      finishedAt,
      fake.events.length - 1,
      `the end is recorded after everything else: ${fake.events.join(' | ')}`,
    );
    assert.deepEqual(fake.callsOf('decideOnOutcome'), [
      { syncRunId: SYNC_RUN_ID, destination: DESTINATION, outcome: 'completed' },
    ]);
    assert.equal(fake.callsOf('planSyncRun').length, 1);
    assert.deepEqual(
      { ...fake.callsOf<PlanRequest>('planSyncRun')[0], workflowId: undefined, runId: undefined },
      {
        workflowId: undefined,
        runId: undefined,
        mode: 'full',
        pageSize: 10,
        partitions: 4,
        minRowsPerPartition: 10_000,
        visibilityRps: 10,
        lookbackSeconds: 300,
      },
    );

    assert.ok(summary);
    assert.ok(summary.durationMs >= 0 && summary.durationMs <= elapsed, `durationMs ${summary.durationMs}`);
    assert.deepEqual(
      { ...summary, durationMs: 0, startedAt: '' },
      {
        syncRunId: SYNC_RUN_ID,
        mode: 'full',
        startedAt: '',
        durationMs: 0,
        continuedAsNew: 0,
        streams: {
          workflows: {
            full: true,
            pages: 16,
            rows: 160,
            deleted: 3,
            done: true,
            partitions: { done: 4, total: 4 },
            resumedAtPages: [],
          },
          schedules: {
            full: true,
            pages: 2,
            rows: 20,
            deleted: 0,
            done: true,
            partitions: { done: 1, total: 1 },
            resumedAtPages: [],
          },
        },
      },
    );
    // Last, so the rest of the story is checked even when it fails.
    assert.equal(
      fake.maxInFlight(),
      4,
      `at most 4 partitions (the input's partitions) at once: ${fake.maxInFlight()} ran at once`,
    );
  });

  it('shares a small budget: 3 calls/s with 4 partitions asked for gives 3 lanes of 1 call/s', async () => {
    const fake = createFake({ streams: STORY, chunkMs: 200 });
    const { error } = await runWith(fake, { partitions: 4, visibilityRps: 3 });
    assert.equal(error, undefined, String(error));
    const rates = new Set(fake.callsOf<PartitionRequest>('syncPartition').map((c) => c.visibilityCallsPerSecond));
    assert.deepEqual([...rates], [1]);
    assert.ok(fake.maxInFlight() <= 3, `${fake.maxInFlight()} chunks ran at once with 3 calls/s`);
  });

  it('continues as new after a few activities, carrying only the run record, and the next run resumes it', async () => {
    const fake = createFake({ streams: STORY, chunkMs: 100 });
    const input = { mode: 'full', continueAsNewAfterActivities: 3, visibilityRps: 10 };
    const { summary, error, workflowId, firstRunId } = await runWith(fake, input);
    assert.equal(error, undefined, String(error));
    assert.deepEqual(fake.violations, []);

    const resumes = fake.callsOf<ResumeRequest>('resumeSyncRun');
    assert.ok(resumes.length >= 2, `${resumes.length} continuations for 11 activities at most 3 a run`);
    assert.equal(fake.callsOf('planSyncRun').length, 1, 'only the first run plans');
    assert.equal(fake.callsOf('reconcileRuns').length, 1, 'only the first run reconciles');
    const runIds = [firstRunId, ...resumes.map((r) => r.runId)];
    assert.equal(new Set(runIds).size, runIds.length, 'each continuation is a run of its own');
    resumes.forEach((resume, index) => {
      assert.deepEqual(resume, {
        workflowId,
        runId: runIds[index + 1],
        continuedFromRunId: runIds[index],
        syncRunId: SYNC_RUN_ID,
        destination: DESTINATION,
      });
    });
    for (const runId of runIds) {
      const started = fake.calls.filter(
        (c) => c.runId === runId && (c.name === 'syncPartition' || c.name === 'completeStream'),
      );
      assert.ok(started.length <= 3, `run ${runId} started ${started.length} activities`);
    }

    // What a continued run got as its input: the caller's options (with their defaults) and the record's ID.
    for (const runId of runIds.slice(1)) {
      const history = await temporal.client.workflow.getHandle(workflowId, runId).fetchHistory();
      const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      assert.ok(payload);
      assert.deepEqual(defaultPayloadConverter.fromPayload(payload), {
        mode: 'full',
        lookbackSeconds: 300,
        activityMaxSeconds: 60,
        heartbeatTimeoutSeconds: 30,
        continueAsNewAfterActivities: 3,
        minRowsPerPartition: 10_000,
        visibilityRps: 10,
        continueRun: { syncRunId: SYNC_RUN_ID, destination: DESTINATION },
      });
    }

    assert.deepEqual(
      fake.callsOf<FinishRequest>('finishSyncRun').map((f) => f.status),
      ['completed'],
    );
    assert.ok(summary);
    assert.equal(summary.continuedAsNew, resumes.length);
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(summary.streams).map(([name, s]) => [name, [s.pages, s.rows, s.deleted, s.done]]),
      ),
      { workflows: [16, 160, 3, true], schedules: [2, 20, 0, true] },
    );
  });

  it('on a partition failing for good: cancels the chunks in flight, records the failure after they settled, fails with its type', async () => {
    const fake = createFake({
      streams: STORY,
      behaviour: (request) => (request.stream === 'workflows' && request.partition === 2 ? 'fail' : 'hang'),
    });
    const { error } = await runWith(fake, { partitions: 4, visibilityRps: 10, heartbeatTimeoutSeconds: 2 });
    assert.ok(error instanceof WorkflowFailedError, `the workflow fails: ${String(error)}`);
    assert.ok(error.cause instanceof ApplicationFailure);
    assert.equal(error.cause.type, 'PartitionBroken');
    assert.equal(error.cause.nonRetryable, true);
    assert.match(error.cause.message, /the source refused workflows\/2/);

    const started = fake.events.filter((e) => e.startsWith('started ')).map((e) => e.slice('started '.length));
    const others = started.filter((key) => key !== 'workflows/2');
    assert.ok(others.length >= 3, `chunks in flight beside the failing one: ${others.join(', ')}`);
    for (const key of others)
      assert.ok(fake.events.includes(`cancelled ${key}`), `${key} was cancelled (${fake.events.join(' | ')})`);

    const finishedAt = fake.events.indexOf('finished failed');
    assert.ok(finishedAt >= 0, `the failure is recorded: ${fake.events.join(' | ')}`);
    for (const key of started) {
      assert.ok(fake.events.indexOf(`settled ${key}`) < finishedAt, `${key} settled before the run recorded its end`);
    }
    const finishes = fake.callsOf<FinishRequest>('finishSyncRun');
    assert.equal(finishes.length, 1);
    assert.equal(finishes[0]!.status, 'failed');
    assert.match(finishes[0]!.error ?? '', /the source refused workflows\/2/);
    assert.deepEqual(fake.callsOf('completeStream'), [], 'no pass is completed');
    assert.deepEqual(fake.callsOf('decideOnOutcome'), [
      { syncRunId: SYNC_RUN_ID, destination: DESTINATION, outcome: 'failed' },
    ]);
  });

  it('refuses continueRun on a fresh start: the refusal is recorded, nothing is planned, the run fails InvalidSyncInput', async () => {
    const fake = createFake({ streams: STORY });
    const { error, workflowId, firstRunId } = await runWith(fake, {
      continueRun: { syncRunId: '5', destination: DESTINATION },
    });
    assert.ok(error instanceof WorkflowFailedError, `the workflow fails: ${String(error)}`);
    assert.ok(error.cause instanceof ApplicationFailure);
    assert.equal(error.cause.type, 'InvalidSyncInput');
    assert.equal(error.cause.nonRetryable, true);
    assert.match(error.cause.message, /continueRun/);

    const rejected = fake.callsOf<{ workflowId: string; runId: string; error: string }>('recordRejectedRun');
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]!.workflowId, workflowId);
    assert.equal(rejected[0]!.runId, firstRunId);
    assert.match(rejected[0]!.error, /^Invalid SyncWorkflow input: continueRun: /);
    assert.deepEqual(fake.callsOf('decideOnOutcome'), [{ syncRunId: '99', outcome: 'failed' }]);
    assert.deepEqual(
      fake.calls.map((c) => c.name).filter((name) => !['recordRejectedRun', 'decideOnOutcome'].includes(name)),
      [],
      'no planning, resuming or syncing',
    );
  });
});
