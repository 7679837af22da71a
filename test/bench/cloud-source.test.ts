import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection, isGrpcServiceError, ScheduleNotFoundError } from '@temporalio/client';
import { startCloudSource, type CloudSource } from '../../bench/support/cloud-source';
import { LosslessInteger } from '../../src/json';
import { executionToRow, type RawExecutionInfo, type WorkflowRow } from '../../src/source/executions';
import { lenientDecodingCodec } from '../../src/source/lenient-codec';
import { incrementalQuery } from '../../src/source/visibility-query';
import { scheduleToRow } from '../../src/source/schedules';

/**
 * The cloud-like source (bench/cloud-source) as our own client code sees it: a real
 * @temporalio/client over Connection.connect, the project's executionToRow and scheduleToRow, the
 * queries the sync sends. What it does not prove: that Temporal Cloud answers the same way. The
 * rate limit and latency follow Cloud's documented limits (shared/notes/temporal-cloud-limits.md),
 * not a measurement of Cloud, and the listing order (newest start first) is not the server's.
 */

const N = 5000;
const NAMESPACE = 'small';
const SPAN_END = Date.parse('2026-01-01T00:00:00Z');
const SPAN_START = SPAN_END - 30 * 24 * 3600 * 1000;
const RESOURCE_EXHAUSTED = 8;
const INVALID_ARGUMENT = 3;

type Listed = { raw: RawExecutionInfo; row: WorkflowRow };
const keyOf = (row: WorkflowRow) => `${row.workflow_id}\u0001${row.run_id}`;

async function listAll(client: Client, query: string, pageSize = 1000): Promise<{ rows: Listed[]; pages: number }> {
  const rows: Listed[] = [];
  let pages = 0;
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize,
      query,
      nextPageToken,
    });
    pages += 1;
    for (const raw of page.executions) rows.push({ raw, row: executionToRow(client.options.namespace, raw) });
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return { rows, pages };
}

async function count(client: Client, query: string): Promise<number> {
  const response = await client.workflowService.countWorkflowExecutions({ namespace: client.options.namespace, query });
  return Number(response.count);
}

function grpcCode(error: unknown): number | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (isGrpcServiceError(current)) return current.code;
  }
  return undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();
const rangeQuery = (from: number, to: number) => `StartTime >= '${iso(from)}' AND StartTime < '${iso(to)}'`;
const startMs = (row: WorkflowRow) => Date.parse(row.start_time!);

describe('the cloud-like source, read by our client code', () => {
  let source: CloudSource;
  let connection: Connection;
  let client: Client;
  let full: Listed[];

  before(async () => {
    source = await startCloudSource({ namespaces: { [NAMESPACE]: N, changes: N }, visibilityRps: 0 });
    connection = await Connection.connect({ address: source.address });
    client = new Client({ connection, namespace: NAMESPACE, dataConverter: { payloadCodecs: [lenientDecodingCodec] } });
    const listing = await listAll(client, '');
    full = listing.rows;
    // 5,000 rows in pages of 1,000 end on a full page: the server adds one more, empty page.
    assert.equal(listing.pages, 6);
  });

  after(async () => {
    await connection?.close();
    await source?.stop();
  });

  it('serves every execution once, each one mapping to a row with realistic content', () => {
    assert.equal(full.length, N);
    assert.equal(new Set(full.map(({ row }) => keyOf(row))).size, N);
    const statuses = new Set(full.map(({ row }) => row.status));
    for (const status of ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'TIMED_OUT', 'CONTINUED_AS_NEW'])
      assert.ok(statuses.has(status), `some ${status} run`);
    for (const { row } of full) {
      const start = startMs(row);
      assert.ok(start >= SPAN_START && start < SPAN_END, `start ${row.start_time} inside the span`);
      if (row.status === 'RUNNING') assert.equal(row.close_time, null);
      else assert.ok(row.history_length! > 0 && Date.parse(row.close_time!) >= start, 'closed runs carry counters');
    }
    const children = full.filter(({ row }) => row.parent_workflow_id !== null);
    assert.ok(children.length > N * 0.05, 'children');
    assert.ok(children.some(({ row }) => row.root_workflow_id !== row.workflow_id));
    const continued = full.filter(({ raw }) => raw.firstRunId && raw.firstRunId !== raw.execution?.runId);
    assert.ok(continued.length > N * 0.02, 'continue-as-new chains share a first run');
    const attributes = new Map<string, Set<string>>();
    for (const { row } of full)
      for (const [key, value] of Object.entries(row.search_attributes ?? {}))
        attributes.set(
          key,
          (attributes.get(key) ?? new Set()).add(
            Array.isArray(value) ? 'array' : value instanceof LosslessInteger ? 'integer beyond 2^53' : typeof value,
          ),
        );
    assert.deepEqual(Object.fromEntries([...attributes].map(([key, types]) => [key, [...types]])), {
      BuildIds: ['array'],
      CustomBool: ['boolean'],
      CustomDatetime: ['string'],
      CustomDouble: ['number'],
      // Kept exact past 2^53, where a JS number cannot hold it.
      CustomInt: ['number', 'integer beyond 2^53'],
      CustomKeyword: ['string'],
      CustomKeywordList: ['array'],
      CustomText: ['string'],
      TemporalChangeVersion: ['array'],
      TemporalReportedProblems: ['array'],
      TemporalScheduledById: ['string'],
      TemporalScheduledStartTime: ['string'],
    });
    assert.ok(full.some(({ row }) => typeof row.memo?.customer === 'object' && Array.isArray(row.memo?.items)));
    const rawMemoText = full.flatMap(({ raw }) =>
      Object.values(raw.memo?.fields ?? {}).map((p) => Buffer.from(p.data ?? []).toString()),
    );
    assert.ok(
      rawMemoText.some((text) => /^\d{16,}$/.test(text) && BigInt(text) > BigInt(Number.MAX_SAFE_INTEGER)),
      'an integer past 2^53 in some memo',
    );
  });

  it('counts what it lists, for the queries the sync sends, and StartTime ranges partition the span exactly', async () => {
    assert.equal(await count(client, ''), N);
    const since = SPAN_END - 3 * 24 * 3600 * 1000;
    const incremental = incrementalQuery(new Date(since), 0);
    const expectIncremental = full.filter(
      ({ row }) => row.status === 'RUNNING' || (row.close_time !== null && Date.parse(row.close_time) >= since),
    );
    const listed = await listAll(client, incremental, 333);
    assert.deepEqual(
      listed.rows.map(({ row }) => keyOf(row)).sort(),
      expectIncremental.map(({ row }) => keyOf(row)).sort(),
    );
    assert.equal(await count(client, incremental), expectIncremental.length);

    const bounds = [0, 1, 2, 3, 4].map((k) => SPAN_START + (k * (SPAN_END - SPAN_START)) / 4);
    let partitionTotal = 0;
    let incrementalTotal = 0;
    const seen = new Set<string>();
    for (let k = 0; k < 4; k++) {
      const [from, to] = [bounds[k]!, bounds[k + 1]!];
      const part = await listAll(client, rangeQuery(from, to));
      assert.ok(part.rows.every(({ row }) => startMs(row) >= from && startMs(row) < to));
      assert.equal(await count(client, rangeQuery(from, to)), part.rows.length);
      part.rows.forEach(({ row }) => seen.add(keyOf(row)));
      partitionTotal += part.rows.length;
      const partitioned = `(${incremental}) AND ${rangeQuery(from, to)}`;
      const incrementalPart = (await listAll(client, partitioned)).rows.length;
      assert.equal(await count(client, partitioned), incrementalPart);
      incrementalTotal += incrementalPart;
    }
    assert.equal(partitionTotal, N);
    assert.equal(seen.size, N);
    assert.equal(incrementalTotal, expectIncremental.length);

    const grouped = await client.workflowService.countWorkflowExecutions({
      namespace: NAMESPACE,
      query: 'GROUP BY ExecutionStatus',
    });
    const byStatus = Object.fromEntries(
      grouped.groups.map((group) => [
        JSON.parse(Buffer.from(group.groupValues![0]!.data!).toString()) as string,
        Number(group.count),
      ]),
    );
    const tally: Record<string, number> = {};
    for (const { raw } of full) {
      const name = {
        1: 'Running',
        2: 'Completed',
        3: 'Failed',
        4: 'Canceled',
        5: 'Terminated',
        6: 'ContinuedAsNew',
        7: 'TimedOut',
      }[raw.status as number]!;
      tally[name] = (tally[name] ?? 0) + 1;
    }
    assert.deepEqual(byStatus, tally);
    assert.equal(Number(grouped.count), N);
  });

  it('refuses a query it does not serve with INVALID_ARGUMENT and the reason', async () => {
    for (const [query, reason] of [
      ["Foo = 'x'", "column name 'Foo' is not a valid search attribute"],
      ["StartTime > '2025-12-01T00:00:00Z' ORDER BY StartTime", "'order by' clause"],
      ["ExecutionStatus = 'Runing'", "invalid ExecutionStatus value 'Runing'"],
    ] as const) {
      await assert.rejects(count(client, query), (error: unknown) => {
        assert.equal(grpcCode(error), INVALID_ARGUMENT, query);
        assert.match((error as Error).message, new RegExp(`invalid query: .*${reason.replace(/[()]/g, '\\$&')}`));
        return true;
      });
    }
  });

  it('lists schedules and describes one through client.schedule.getHandle(id).describe()', async () => {
    const ids: string[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await client.workflowService.listSchedules({
        namespace: NAMESPACE,
        maximumPageSize: 64,
        nextPageToken,
      });
      ids.push(...page.schedules.map((entry) => entry.scheduleId!));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    assert.equal(new Set(ids).size, 200);
    const description = await client.schedule.getHandle(ids[3]!).describe();
    const row = scheduleToRow(NAMESPACE, ids[3]!, description.raw, { list_fingerprint: null, described_at: '' });
    assert.equal(row.schedule_id, ids[3]);
    assert.equal(row.paused, true, 'every 20th schedule from the 4th is paused, with a note');
    assert.ok(row.note);
    assert.equal(description.action.type, 'startWorkflow');
    assert.ok(description.info.recentActions.length > 0 && description.info.nextActionTimes.length > 0);
    assert.ok(description.info.nextActionTimes[0]!.getTime() > SPAN_END);
    const scheduledRuns = full.filter(({ row }) => row.search_attributes?.TemporalScheduledById === ids[3]);
    assert.ok(
      scheduledRuns.every(
        ({ row }) => row.workflow_type === (description.action as { workflowType: string }).workflowType,
      ),
    );
    await assert.rejects(client.schedule.getHandle('no-such-schedule').describe(), ScheduleNotFoundError);
  });

  it('describes a running execution with its pending activities, some retrying with a last failure', async () => {
    const running = full.filter(({ row }) => row.status === 'RUNNING');
    const described = await Promise.all(
      running.map(({ row }) =>
        client.workflowService.describeWorkflowExecution({
          namespace: NAMESPACE,
          execution: { workflowId: row.workflow_id, runId: row.run_id },
        }),
      ),
    );
    const pending = described.flatMap((d) => d.pendingActivities);
    assert.ok(pending.length > running.length / 2, 'most running runs wait on activities');
    assert.ok(pending.some((activity) => (activity.attempt ?? 0) > 1 && activity.lastFailure?.message));
    const handle = await client.workflow.getHandle(running[0]!.row.workflow_id).describe();
    assert.equal(handle.status.name, 'RUNNING');
    await assert.rejects(
      client.workflowService.describeWorkflowExecution({ namespace: NAMESPACE, execution: { workflowId: 'nope' } }),
      (error: unknown) => grpcCode(error) === 5,
    );
  });

  it('answers RESOURCE_EXHAUSTED past the visibility rate, never for describes, and counts both', async () => {
    await source.configure({ visibilityRps: 5, visibilityBurst: 5 });
    await source.resetStats();
    // No retry interceptor: the SDK's default one retries RESOURCE_EXHAUSTED with backoff, hiding it.
    const bare = await Connection.connect({ address: source.address, interceptors: [] });
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          bare.workflowService.countWorkflowExecutions({ namespace: NAMESPACE, query: '' }),
        ),
      );
      const rejected = outcomes.filter((o) => o.status === 'rejected');
      assert.ok(rejected.length >= 14, `${rejected.length} of 20 rejected`);
      for (const outcome of rejected) {
        assert.equal(grpcCode(outcome.reason), RESOURCE_EXHAUSTED);
        assert.match((outcome.reason as Error).message, /namespace rate limit exceeded/);
      }
      const describes = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          bare.workflowService.describeSchedule({ namespace: NAMESPACE, scheduleId: 'sched-order-fulfillment-000' }),
        ),
      );
      assert.equal(describes.filter((o) => o.status === 'rejected').length, 0);
      const stats = await source.stats();
      assert.equal(stats.rejected.CountWorkflowExecutions?.[NAMESPACE], rejected.length);
      assert.equal(stats.visibility[NAMESPACE]?.peakPerSecond, 20);
      assert.ok((stats.visibility[NAMESPACE]?.peakAdmittedPerSecond ?? 0) <= 6);
      assert.equal(stats.calls.DescribeSchedule?.[NAMESPACE], 20);
      // The SDK's default client backs off and retries, so every call of a burst completes, later.
      const counts = await Promise.all(Array.from({ length: 8 }, () => count(client, '')));
      assert.deepEqual(
        counts,
        Array.from({ length: 8 }, () => N),
      );
      assert.ok((await source.stats()).rejected.CountWorkflowExecutions![NAMESPACE]! > rejected.length);
    } finally {
      await bare.close();
      await source.configure({ visibilityRps: 0 });
    }
  });

  it('adds the configured latency to every call', async () => {
    const roundTrip = async () => {
      const started = performance.now();
      await connection.workflowService.getSystemInfo({});
      return performance.now() - started;
    };
    const median = async () => {
      const times = [];
      for (let i = 0; i < 7; i++) times.push(await roundTrip());
      return times.sort((a, b) => a - b)[3]!;
    };
    await source.configure({ latencyMs: 50 });
    const slow = await median();
    await source.configure({ latencyMs: 0 });
    const fast = await median();
    assert.ok(slow >= 50 && slow < 50 + 40, `50 ms latency: ${slow} ms`);
    assert.ok(fast < 20, `no latency: ${fast} ms`);
  });

  it('counts calls and rows served in its stats', async () => {
    await source.resetStats();
    const { pages } = await listAll(client, '', 1000);
    const stats = await source.stats();
    assert.equal(stats.calls.ListWorkflowExecutions?.[NAMESPACE], pages);
    assert.equal(stats.rowsServed.ListWorkflowExecutions?.[NAMESPACE], N);
    assert.equal(stats.visibility[NAMESPACE]?.calls, pages);
    assert.equal(stats.namespaces[NAMESPACE]?.visible, N);
  });
});
