import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureScheduleOnTimeViews, insertFires, makeFires } from '../helpers/analytics-fire-log';
import {
  ageBand,
  close,
  DAY,
  expectedStats,
  HOUR,
  isOpen,
  percentileCont,
  timeliness,
  compareStats,
  type StatsRow,
} from '../helpers/analytics-expected';
import {
  insertRuns,
  insertSyncRuns,
  insertSyncState,
  makeRuns,
  type SeedFire,
  type SeedRun,
} from '../helpers/analytics-seed';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { refreshWorkflowStats } from '../../src/db/analytics-rollup';

const NS = "team's namespace";
const OTHER = 'other-namespace';

describe('analytics views over seeded rows', () => {
  let db: TestDatabase;
  let runs: SeedRun[];
  let fires: SeedFire[];
  const now = new Date();

  before(async () => {
    db = await createTestDatabase('analytics_views');
    runs = [...makeRuns(NS, 900, now, 60, 7), ...makeRuns(OTHER, 120, now, 60, 8)];
    // An open run old enough for every age band, and one the server no longer has.
    runs.push({ ...runs[1]!, workflow_id: 'ancient-open', status: 'RUNNING', close_time: null });
    runs.at(-1)!.start_time = new Date(now.getTime() - 40 * DAY);
    runs.at(-1)!.execution_time_seconds = null;
    runs.push({ ...runs.at(-1)!, workflow_id: 'gone-open', deleted_at: now });
    await insertRuns(db.pool, db.schema, runs);
    await ensureScheduleOnTimeViews(db.pool, db.schema);
    fires = makeFires(NS, now);
    await insertFires(db.pool, db.schema, fires);
  });

  after(async () => {
    await db?.dispose();
  });

  it('workflow_stats_hourly: per UTC hour, namespace, type and task queue, the counts, failure rate and percentiles', async () => {
    const { rows } = await db.pool.query<StatsRow>(`SELECT * FROM "${db.schema}".workflow_stats_hourly`);
    const expected = expectedStats(runs, HOUR);
    assert.ok(expected.size > 300, `the seed spreads over many hours (${expected.size} groups)`);
    assert.deepEqual(compareStats(rows, expected), []);
  });

  it('workflow_stats_daily: the same per UTC day', async () => {
    const { rows } = await db.pool.query<StatsRow>(`SELECT * FROM "${db.schema}".workflow_stats_daily`);
    assert.deepEqual(compareStats(rows, expectedStats(runs, DAY)), []);
  });

  it('counts deleted rows (history past retention) and keeps namespaces apart', async () => {
    const { rows } = await db.pool.query<{ started: number }>(
      `SELECT sum(started)::int AS started FROM "${db.schema}".workflow_stats_daily WHERE namespace = $1`,
      [NS],
    );
    const mine = runs.filter((run) => run.namespace === NS);
    assert.ok(mine.some((run) => run.deleted_at !== null));
    assert.equal(rows[0]!.started, mine.length);
  });

  it('rolled up (as a completed workflows pass leaves it): the same numbers, the current hour and day live', async () => {
    for (const namespace of [NS, OTHER]) await refreshWorkflowStats(db.pool, db.schema, namespace, null);
    const { rows: kept } = await db.pool.query<{ hours: number; days: number }>(
      `SELECT (SELECT count(*)::int FROM "${db.schema}".workflow_stats_hourly_rollup) AS hours,
              (SELECT count(*)::int FROM "${db.schema}".workflow_stats_daily_rollup) AS days`,
    );
    assert.ok(kept[0]!.hours > 300 && kept[0]!.days > 10, `the rollup holds the past: ${JSON.stringify(kept[0])}`);
    const hourly = await db.pool.query<StatsRow>(`SELECT * FROM "${db.schema}".workflow_stats_hourly`);
    assert.deepEqual(compareStats(hourly.rows, expectedStats(runs, HOUR)), []);
    const daily = await db.pool.query<StatsRow>(`SELECT * FROM "${db.schema}".workflow_stats_daily`);
    assert.deepEqual(compareStats(daily.rows, expectedStats(runs, DAY)), []);
    const { rows: state } = await db.pool.query<{ through: Date }>(
      `SELECT through FROM "${db.schema}".workflow_stats_rollup_state WHERE namespace = $1`,
      [NS],
    );
    assert.equal(state[0]!.through.getTime(), Math.floor(Date.now() / HOUR) * HOUR);
  });

  it('a filter on namespace and bucket reads the rollup by its index, and the live part from the rollup end on', async () => {
    const client = await db.pool.connect();
    try {
      // The tables are small, so the planner would rightly scan them; forbid that to see whether the indexes can serve.
      await client.query('SET enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT * FROM "${db.schema}".workflow_stats_hourly
         WHERE namespace = $1 AND bucket BETWEEN now() - interval '7 days' AND now()`,
        [NS],
      );
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      assert.match(
        plan,
        /Index (Only )?Scan using workflow_stats_hourly_rollup_idx[\s\S]*?Index Cond: .*namespace = .*bucket >= \(now\(\) - '7 days'/,
        plan,
      );
      // Both branches of the live part (start and close events) read the table's rows from the hour the
      // rollup ends (the state's through), below the aggregate: a few rows, not the window.
      for (const column of ['start_time', 'close_time'])
        assert.match(
          plan,
          new RegExp(
            `Scan .*on workflow[\\s\\S]*?(Cond|Filter): .*date_bin\\('01:00:00'::interval, ${column}.*s\\.through`,
          ),
          plan,
        );
      assert.ok(plan.lastIndexOf('GroupAggregate') < plan.lastIndexOf('s.through'), plan);
    } finally {
      client.release();
    }
  });

  it('workflow_open_runs: runs not closed and still on the server, with their age', async () => {
    const { rows } = await db.pool.query<{ workflow_id: string; age_seconds: number; start_time: Date }>(
      `SELECT workflow_id, age_seconds, start_time FROM "${db.schema}".workflow_open_runs WHERE namespace = $1
       ORDER BY start_time, workflow_id`,
      [NS],
    );
    const open = runs.filter((run) => run.namespace === NS && isOpen(run));
    assert.deepEqual(rows.map((row) => row.workflow_id).sort(), open.map((run) => run.workflow_id).sort());
    assert.equal(rows[0]!.workflow_id, 'ancient-open');
    assert.ok(!rows.some((row) => row.workflow_id === 'gone-open'));
    for (const row of rows) {
      const age = (Date.now() - row.start_time.getTime()) / 1000;
      assert.ok(Math.abs(row.age_seconds - age) < 30, `${row.workflow_id} age ${row.age_seconds} ~ ${age}`);
    }
  });

  it('workflow_open_age: open runs per age band, type and queue', async () => {
    const { rows } = await db.pool.query<{
      workflow_type: string | null;
      task_queue: string;
      age_band: string;
      runs: number;
    }>(`SELECT workflow_type, task_queue, age_band, runs FROM "${db.schema}".workflow_open_age WHERE namespace = $1`, [
      NS,
    ]);
    const expected = new Map<string, number>();
    for (const run of runs.filter((r) => r.namespace === NS && isOpen(r))) {
      const key = JSON.stringify([
        run.workflow_type,
        run.task_queue,
        ageBand((now.getTime() - run.start_time.getTime()) / 1000),
      ]);
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const actual = new Map(
      rows.map((row) => [JSON.stringify([row.workflow_type, row.task_queue, row.age_band]), row.runs]),
    );
    assert.deepEqual(actual, expected);
    assert.ok(rows.some((row) => row.age_band === 'over 30 days'));
  });

  it('sync_freshness: the last successful, full and failed sync per namespace and stream', async () => {
    const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);
    const run = (
      mode: 'full' | 'incremental',
      status: 'completed' | 'failed' | 'running',
      hoursAgo: number,
      streams: string[],
    ) => ({
      namespace: NS,
      workflow_id: `sync-${mode}-${hoursAgo}`,
      mode,
      streams,
      status,
      started_at: at(hoursAgo + 0.1),
      finished_at: status === 'running' ? null : at(hoursAgo),
      rows_per_stream: { workflows: hoursAgo * 10, schedules: 3 },
      error: status === 'failed' ? 'cannot connect to Temporal' : null,
    });
    await insertSyncRuns(db.pool, db.schema, [
      run('full', 'completed', 30, ['workflows', 'schedules']),
      run('incremental', 'completed', 3, ['workflows', 'schedules']),
      run('incremental', 'completed', 2, ['workflows']),
      run('incremental', 'failed', 1, ['workflows', 'schedules']),
      run('incremental', 'running', 0, ['workflows', 'schedules']),
    ]);
    await insertSyncState(db.pool, db.schema, [{ namespace: NS, stream: 'workflows', cursor: at(2.1) }]);
    const { rows } = await db.pool.query(
      `SELECT * FROM "${db.schema}".sync_freshness WHERE namespace = $1 ORDER BY stream`,
      [NS],
    );
    assert.equal(rows.length, 2);
    const [schedules, workflows] = rows as Array<Record<string, unknown>>;
    assert.deepEqual(
      { ...workflows, seconds_since_success: undefined, last_success_sync_run_id: undefined },
      {
        namespace: NS,
        stream: 'workflows',
        last_success_at: at(2),
        seconds_since_success: undefined,
        last_success_mode: 'incremental',
        last_success_sync_run_id: undefined,
        last_success_rows: '20',
        last_full_success_at: at(30),
        last_failure_at: at(1),
        last_failure_error: 'cannot connect to Temporal',
        last_run_status: 'failed',
        running: 1,
        cursor: at(2.1),
      },
    );
    assert.ok(Math.abs((workflows!.seconds_since_success as number) - (Date.now() - at(2).getTime()) / 1000) < 30);
    assert.equal((schedules!.last_success_at as Date).getTime(), at(3).getTime());
    assert.equal(schedules!.cursor, null);
  });

  it('schedule_on_time_daily: fires on time and late from schedule_fire, missed and skipped from schedule_event, per schedule and UTC day', async () => {
    const { rows } = await db.pool.query<Record<string, number | null> & { bucket: Date; schedule_id: string }>(
      `SELECT * FROM "${db.schema}".schedule_on_time_daily WHERE namespace = $1`,
      [NS],
    );
    const checkedAt = new Date();
    const expected = new Map<
      string,
      { due: number; on_time: number; late: number; missed: number; delays: number[] }
    >();
    for (const fire of fires) {
      const key = JSON.stringify([Math.floor(fire.scheduled_time.getTime() / DAY) * DAY, fire.schedule_id]);
      const entry = expected.get(key) ?? { due: 0, on_time: 0, late: 0, missed: 0, delays: [] };
      expected.set(key, entry);
      const verdict = timeliness(fire, checkedAt);
      if (verdict !== 'pending') entry.due++;
      if (verdict === 'on_time') entry.on_time++;
      if (verdict === 'late') entry.late++;
      if (verdict === 'missed') entry.missed++;
      if (fire.actual_start_time)
        entry.delays.push((fire.actual_start_time.getTime() - fire.scheduled_time.getTime()) / 1000);
    }
    const problems: string[] = [];
    for (const row of rows) {
      const key = JSON.stringify([row.bucket.getTime(), row.schedule_id]);
      const want = expected.get(key);
      if (!want) {
        problems.push(`unexpected ${key}`);
        continue;
      }
      for (const column of ['due', 'on_time', 'late', 'missed'] as const) {
        if (row[column] !== want[column]) problems.push(`${key} ${column}: ${row[column]} != ${want[column]}`);
      }
      const rate = want.due === 0 ? null : want.on_time / want.due;
      for (const problem of [
        close(row.on_time_rate ?? null, rate, `${key} on_time_rate`),
        close(row.p95_start_delay_seconds ?? null, percentileCont(want.delays, 0.95), `${key} p95`),
        close(row.max_start_delay_seconds ?? null, want.delays.length ? Math.max(...want.delays) : null, `${key} max`),
      ]) {
        if (problem) problems.push(problem);
      }
    }
    assert.equal(rows.length, expected.size);
    assert.deepEqual(problems, []);
    // The edges: exactly 60 s late is on time, 60.001 s is late.
    const { rows: verdicts } = await db.pool.query<{ timeliness: string; n: number }>(
      `SELECT timeliness, count(*)::int AS n FROM "${db.schema}".schedule_fire_timeliness
       WHERE namespace = $1 AND schedule_id = 'nightly-export' GROUP BY 1 ORDER BY 1`,
      [NS],
    );
    assert.deepEqual(verdicts, [
      { timeliness: 'late', n: 1 },
      { timeliness: 'on_time', n: 1 },
    ]);
    assert.ok(
      rows.every((row) => row.skipped === 0),
      'no overlap skips seeded',
    );
  });

  it('schedule_on_time_daily: overlap skips count as skipped, not due; an event counts on the UTC day of its window_end; fires past retention (deleted) still count', async () => {
    const q = `"${db.schema}"`;
    const ns = 'skips';
    const dayStart = new Date(Math.floor(now.getTime() / DAY) * DAY - 3 * DAY);
    const at = (hours: number) => new Date(dayStart.getTime() + hours * 3_600_000);
    await db.pool.query(
      `INSERT INTO ${q}.schedule_fire
         (namespace, schedule_id, workflow_id, run_id, scheduled_time, actual_start_time, start_status, read_at,
          deleted_at)
       VALUES ($1, 's', 'w1', 'r1', $2, $2, 'COMPLETED', now(), NULL),
              ($1, 's', 'w2', 'r2', $3, $3::timestamptz + interval '120 seconds', 'COMPLETED', now(), NULL),
              ($1, 's', 'w3', 'r3', $3, $3, 'COMPLETED', now(), now())`,
      [ns, at(1), at(2)],
    );
    await db.pool.query(
      `INSERT INTO ${q}.schedule_event
         (namespace, schedule_id, kind, count, window_start, window_end, overlap_policy, catchup_window_seconds,
          actions_taken)
       VALUES ($1, 's', 'skipped_overlap', 4, $2, $3, 'SCHEDULE_OVERLAP_POLICY_SKIP', 60, 2),
              ($1, 's', 'buffer_dropped', 2, $2, $3, 'SCHEDULE_OVERLAP_POLICY_BUFFER_ONE', 60, 2),
              -- window from day 0 into day 1: counts on day 1
              ($1, 's', 'missed_catchup_window', 3, $3, $4, 'SCHEDULE_OVERLAP_POLICY_SKIP', 60, 2),
              ($1, 's', 'skipped_overlap', 5, NULL, $4, 'SCHEDULE_OVERLAP_POLICY_SKIP', 60, 2)`,
      [ns, at(0), at(3), at(25)],
    );
    const { rows } = await db.pool.query<Record<string, number | null> & { bucket: Date }>(
      `SELECT bucket, due, on_time, late, missed, skipped, on_time_rate
       FROM ${q}.schedule_on_time_daily WHERE namespace = $1 ORDER BY bucket`,
      [ns],
    );
    assert.deepEqual(rows, [
      { bucket: dayStart, due: 5, on_time: 2, late: 1, missed: 2, skipped: 4, on_time_rate: 0.4 },
      {
        bucket: new Date(dayStart.getTime() + DAY),
        due: 3,
        on_time: 0,
        late: 0,
        missed: 3,
        skipped: 5,
        on_time_rate: 0,
      },
    ]);
  });
});
