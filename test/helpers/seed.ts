import { ScheduleOverlapPolicy, type Client, type ScheduleOptions, type WorkflowHandle } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { executionToRow, type RawExecutionInfo, type WorkflowRow } from '../../src/source/executions';
import { SEED_TASK_QUEUE } from './workers';
import { SOURCE_NAMESPACE, searchAttributes } from './temporal';
import { waitFor } from './wait';

/** IDs a careless connector would break on: quotes, spaces, backslashes, non-ASCII, emoji. */
export const STRANGE_ID_PREFIXES = [
  'plain',
  'order "42" with quotes',
  "it's single-quoted",
  'back\\slash and spaces',
  'ünïcødé-日本語-🚀',
];

export interface SeedCounts {
  /** Runs the server will list once everything settled (continue-as-new and children add runs). */
  runs: number;
  running: number;
}

function typedAttributes(i: number): TypedSearchAttributes {
  return new TypedSearchAttributes([
    { key: searchAttributes.keyword, value: `kw-${i % 7}` },
    { key: searchAttributes.text, value: `some text ${i} with "quotes"` },
    { key: searchAttributes.int, value: i },
    { key: searchAttributes.double, value: i + 0.25 },
    { key: searchAttributes.bool, value: i % 2 === 0 },
    { key: searchAttributes.datetime, value: new Date(Date.UTC(2025, 0, 1, 0, 0, i % 60)) },
    { key: searchAttributes.keywordList, value: [`a${i % 3}`, `b${i % 5}`] },
  ]);
}

/**
 * Starts executions of every status: completed (with memo and every search attribute type), failed,
 * terminated, cancelled, timed out, still running, continued-as-new chains and parent/child pairs.
 * `per` scales it: per=10 gives 365 runs. Waits until visibility lists them all, settled.
 */
export async function seedMixedExecutions(client: Client, tag: string, per = 10): Promise<SeedCounts> {
  let n = 0;
  const id = (kind: string) => {
    n += 1;
    return `${STRANGE_ID_PREFIXES[n % STRANGE_ID_PREFIXES.length]} ${tag} ${kind} #${n}`;
  };
  const starts: Array<Promise<WorkflowHandle>> = [];
  const start = (type: string, kind: string, args: unknown[], extra: Record<string, unknown> = {}) =>
    starts.push(client.workflow.start(type, { taskQueue: SEED_TASK_QUEUE, workflowId: id(kind), args, ...extra }));

  for (let i = 0; i < 15 * per; i += 1) {
    start('completes', 'completed', [{ i }], {
      memo: { index: i, note: `memo "quoted" ✓ ${i}`, nested: { list: [1, 2, { deep: true }] } },
      typedSearchAttributes: typedAttributes(i),
    });
  }
  for (let i = 0; i < 4 * per; i += 1) start('fails', 'failed', [`failure ${i}`]);
  const toTerminate: Array<Promise<WorkflowHandle>> = [];
  const toCancel: Array<Promise<WorkflowHandle>> = [];
  for (let i = 0; i < 3 * per; i += 1) {
    start('waits', 'terminated', []);
    toTerminate.push(starts[starts.length - 1]!);
  }
  for (let i = 0; i < 2 * per; i += 1) {
    start('waits', 'cancelled', []);
    toCancel.push(starts[starts.length - 1]!);
  }
  for (let i = 0; i < 2 * per; i += 1) start('waits', 'timed-out', [], { workflowExecutionTimeout: '1 second' });
  for (let i = 0; i < 3 * per; i += 1) start('waits', 'running', [], { memo: { running: true } });
  for (let i = 0; i < Math.ceil(1.5 * per); i += 1) start('continuesAsNew', 'continued', [2]);
  const parents = Math.ceil(1.5 * per);
  for (let i = 0; i < parents; i += 1) start('parent', 'parent', [`child of ${tag} #${i} «ü»`]);

  await Promise.all(starts);
  await Promise.all(toTerminate.map(async (handle) => (await handle).terminate('seeded as terminated')));
  await Promise.all(toCancel.map(async (handle) => (await handle).cancel()));

  const counts: SeedCounts = {
    runs: starts.length + Math.ceil(1.5 * per) * 2 + parents,
    running: 3 * per,
  };
  await waitForSettled(client, counts);
  return counts;
}

export async function countRuns(client: Client, query = ''): Promise<number> {
  const { count } = await client.workflowService.countWorkflowExecutions({ namespace: SOURCE_NAMESPACE, query });
  return Number(count);
}

/** Visibility is eventually consistent: wait until it lists exactly the expected runs. */
export async function waitForSettled(client: Client, counts: SeedCounts): Promise<void> {
  await waitFor(
    `${counts.runs} runs, ${counts.running} running`,
    async () => {
      const [total, running] = await Promise.all([countRuns(client), countRuns(client, "ExecutionStatus = 'Running'")]);
      return total === counts.runs && running === counts.running ? true : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

/** Every execution the server lists in the client's namespace, through the raw visibility API at the largest page size. */
export async function listAllExecutions(client: Client): Promise<RawExecutionInfo[]> {
  const all: RawExecutionInfo[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize: 1000,
      nextPageToken,
    });
    all.push(...page.executions);
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return all;
}

/** The rows a complete sync of the client's namespace must hold, by our mapping of the server's listing. */
export async function expectedWorkflowRows(client: Client): Promise<WorkflowRow[]> {
  return (await listAllExecutions(client)).map((info) => executionToRow(client.options.namespace, info));
}

/** Schedules of every kind of spec: cron, interval, calendar, paused with a note, memo and attributes. */
export async function seedSchedules(client: Client, tag: string): Promise<string[]> {
  const action = { type: 'startWorkflow' as const, workflowType: 'completes', taskQueue: SEED_TASK_QUEUE, args: [] };
  const definitions: Array<Omit<ScheduleOptions, 'action'>> = [
    { scheduleId: `${tag}-cron`, spec: { cronExpressions: ['0 12 * * MON-FRI'] } },
    // Starts in 2099: an hourly action firing in the middle of a test would add a run and change counters.
    {
      scheduleId: `${tag}-interval`,
      spec: { intervals: [{ every: '1 hour', offset: '5 minutes' }], startAt: new Date('2099-01-01T00:00:00Z') },
    },
    {
      scheduleId: `${tag}-calendar "quoted" ü`,
      spec: {
        calendars: [{ hour: 3, minute: 30, dayOfWeek: 'MONDAY' as const }],
        timezone: 'Europe/Berlin',
        jitter: '30 seconds',
      },
    },
    {
      scheduleId: `${tag}-paused`,
      spec: { intervals: [{ every: '1 day' }] },
      state: { paused: true, note: 'paused for maintenance "until Monday"' },
    },
    {
      scheduleId: `${tag}-with-memo`,
      spec: { cronExpressions: ['30 4 * * *'] },
      memo: { owner: 'platform team', tags: ['a', 'b'] },
      typedSearchAttributes: new TypedSearchAttributes([{ key: searchAttributes.keyword, value: 'scheduled' }]),
      policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '10 minutes', pauseOnFailure: true },
    },
  ];
  for (const definition of definitions) {
    await client.schedule.create({ ...definition, action: { ...action, workflowId: `${definition.scheduleId}-wf` } });
  }
  return definitions.map((definition) => definition.scheduleId);
}
