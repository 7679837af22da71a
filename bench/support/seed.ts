import {
  ScheduleAlreadyRunning,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  type Client,
} from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { ScheduleSpec } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { mapWithConcurrency } from '../../src/source/concurrency';
import { searchAttributes } from '../../test/helpers/temporal';
import { waitFor } from '../../test/helpers/wait';
import { bundleOnce } from '../../test/helpers/workers';
import type { BenchServer } from './server';
import { log } from './stats';

const SEED_TASK_QUEUE = 'bench-seed';
export const SCHEDULES = 200;
/** Client calls in flight while seeding: enough to keep the server busy, few enough not to time out. */
const START_CONCURRENCY = 24;

type Kind = 'completed' | 'failed' | 'terminated' | 'cancelled' | 'timed-out' | 'running';

/** Per hundred executions: 90 completed, 3 failed, 3 terminated, 2 cancelled, 1 timed out, 1 running. */
export function kindOf(index: number): Kind {
  const slot = index % 100;
  if (slot === 0) return 'running';
  if (slot <= 3) return 'failed';
  if (slot <= 6) return 'terminated';
  if (slot <= 8) return 'cancelled';
  if (slot === 9) return 'timed-out';
  return 'completed';
}

export const expectedRunning = (executions: number): number => Math.ceil(executions / 100);

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2', 'sa-east-1'];

/** A memo of the size a real order workflow carries (~400 bytes of JSON). */
function memoFor(index: number): Record<string, unknown> {
  return {
    customerId: `cust-${(index * 7919) % 100_000}`,
    orderId: `order-${index}`,
    region: REGIONS[index % REGIONS.length],
    priority: index % 5,
    items: [
      { sku: `sku-${index % 97}`, quantity: 1 + (index % 3), price: 19.99 },
      { sku: `sku-${index % 89}`, quantity: 2, price: 5.5 },
      { sku: `sku-${index % 83}`, quantity: 1, price: 120 },
    ],
    note: `Order ${index} placed through the storefront; gift wrap requested, deliver after 5 pm.`,
  };
}

function attributesFor(index: number): TypedSearchAttributes {
  return new TypedSearchAttributes([
    { key: searchAttributes.keyword, value: `tenant-${index % 50}` },
    { key: searchAttributes.text, value: `order ${index} for customer ${(index * 7919) % 100_000}` },
    { key: searchAttributes.int, value: index },
    { key: searchAttributes.double, value: index / 3 },
    { key: searchAttributes.bool, value: index % 2 === 0 },
    { key: searchAttributes.datetime, value: new Date(Date.UTC(2026, 0, 1) + index * 60_000) },
    { key: searchAttributes.keywordList, value: [`tag-${index % 3}`, `tag-${index % 7}`] },
  ]);
}

export async function countExecutions(client: Client, query = ''): Promise<number> {
  const { count } = await client.workflowService.countWorkflowExecutions({
    namespace: client.options.namespace,
    query,
  });
  return Number(count);
}

/** Starts one seed execution and drives it to its status; an ID already there from an earlier run is left as it is. */
async function seedOne(client: Client, index: number): Promise<void> {
  const kind = kindOf(index);
  const workflowId = `order-${String(index).padStart(7, '0')}`;
  const common = {
    taskQueue: SEED_TASK_QUEUE,
    workflowId,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    memo: memoFor(index),
    typedSearchAttributes: attributesFor(index),
  };
  try {
    if (kind === 'completed') await client.workflow.start('completes', { ...common, args: [{ orderId: index }] });
    else if (kind === 'failed')
      await client.workflow.start('fails', { ...common, args: [`payment declined for ${index}`] });
    else if (kind === 'timed-out')
      await client.workflow.start('waits', { ...common, workflowExecutionTimeout: '2 seconds' });
    else await client.workflow.start('waits', common);
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  // Also for an execution an interrupted seed started but did not finish; a closed one just refuses.
  const handle = client.workflow.getHandle(workflowId);
  if (kind === 'terminated') await handle.terminate('seeded as terminated').catch(() => {});
  if (kind === 'cancelled') await handle.cancel().catch(() => {});
}

/**
 * Seeds `executions` executions into the client's namespace unless they are already there. A local
 * worker with high concurrency runs trivial workflows while many starts are in flight; terminated and
 * cancelled ones are ended through the client. Prints progress; waits until visibility lists them all.
 */
export async function seedExecutions(server: BenchServer, client: Client, executions: number): Promise<void> {
  const namespace = client.options.namespace;
  const running = expectedRunning(executions);
  const present = await countExecutions(client);
  if (present === executions && (await countExecutions(client, "ExecutionStatus = 'Running'")) === running) {
    log(`seed: ${namespace} already holds ${executions} executions (reused from ${server.dbFile})`);
    return;
  }
  if (present > executions) {
    throw new Error(
      `namespace ${namespace} in ${server.dbFile} holds ${present} executions, more than ${executions}: delete the file`,
    );
  }
  log(`seed: ${namespace} holds ${present} of ${executions} executions; seeding...`);
  const worker = await Worker.create({
    connection: server.env.nativeConnection,
    namespace,
    taskQueue: SEED_TASK_QUEUE,
    workflowBundle: await bundleOnce(require.resolve('../../test/fixtures/seed-workflows')),
    maxConcurrentWorkflowTaskExecutions: 100,
    maxCachedWorkflows: 200,
  });
  const workerRun = worker.run();
  const began = Date.now();
  let done = 0;
  let phase = 'started';
  let open = 0;
  const progress = setInterval(() => {
    const rate = Math.round(done / ((Date.now() - began) / 1000));
    log(
      phase === 'started'
        ? `seed: ${namespace} ${done}/${executions} started (${rate}/s)`
        : `seed: ${namespace} waiting for runs to close: ${open} running, ${running} stay running`,
    );
  }, 5000);
  try {
    if (present < executions) {
      const indexes = Array.from({ length: executions }, (_, index) => index);
      await mapWithConcurrency(indexes, START_CONCURRENCY, async (index) => {
        await seedOne(client, index);
        done += 1;
      });
    }
    phase = 'settling';
    // The worker closes runs more slowly than they start: allow ~10 per second on a busy machine.
    await waitFor(
      `${executions} executions (${running} running) listed in ${namespace}`,
      async () => {
        const [total, stillOpen] = await Promise.all([
          countExecutions(client),
          countExecutions(client, "ExecutionStatus = 'Running'"),
        ]);
        open = stillOpen;
        return total === executions && stillOpen === running ? true : undefined;
      },
      { timeoutMs: 120_000 + executions * 100, intervalMs: 1000 },
    );
  } finally {
    clearInterval(progress);
    worker.shutdown();
    await workerRun;
  }
  log(`seed: ${namespace} seeded ${executions} executions in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}

/** 200 schedules of every kind of spec; none ever fires (they start in 2099), so the seed stays put. */
export async function seedSchedules(client: Client): Promise<void> {
  const listed = await client.workflowService.listSchedules({
    namespace: client.options.namespace,
    maximumPageSize: 1000,
  });
  if (listed.schedules.length >= SCHEDULES) return;
  const startAt = new Date(Date.UTC(2099, 0, 1));
  await mapWithConcurrency(
    Array.from({ length: SCHEDULES }, (_, index) => index),
    16,
    async (index) => {
      const specs: ScheduleSpec[] = [
        { cronExpressions: ['0 12 * * MON-FRI'], startAt },
        { intervals: [{ every: '1 hour', offset: `${index % 60} minutes` }], startAt },
        {
          calendars: [{ hour: index % 24, minute: 30, dayOfWeek: 'MONDAY' as const }],
          timezone: 'Europe/Berlin',
          startAt,
        },
      ];
      try {
        await client.schedule.create({
          scheduleId: `report-${String(index).padStart(4, '0')}`,
          spec: specs[index % specs.length]!,
          action: {
            type: 'startWorkflow',
            workflowType: 'completes',
            taskQueue: SEED_TASK_QUEUE,
            args: [{ report: index }],
          },
          memo: { owner: `team-${index % 12}`, description: `nightly report ${index}` },
          state: index % 10 === 0 ? { paused: true, note: 'paused until the quarter closes' } : {},
        });
      } catch (error) {
        if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      }
    },
  );
  log(`seed: ${client.options.namespace} has ${SCHEDULES} schedules`);
}
