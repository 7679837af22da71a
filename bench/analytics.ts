import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { migrate } from '../src/db/migrate';
import { refreshWorkflowStats } from '../src/db/analytics-rollup';
import { tuneForAnalytics } from '../src/db/analytics-session';
import { createPool } from '../src/db/pool';
import { createRowWriter } from '../src/db/rows';
import { inTransaction } from '../src/db/transaction';
import { workflowTable, type WorkflowRow } from '../src/db/workflow-rows';
import { collectReport } from '../src/report/collect';
import { resolveWindow } from '../src/report/window';
import { loadDashboard, resolveVariables } from '../test/helpers/grafana-dashboard';
import { expandGrafanaSql } from '../test/helpers/grafana';
import { seedRuns, seedSyncRuns } from './support/analytics-seed';
import { runBench, writeResults } from './support/main';
import { log, median, round1, timed } from './support/stats';
import { BENCH_DATABASE_URL } from './support/worker';

const HELP = `Usage: npm run bench:analytics [-- --runs 1000000] [--fires 1000000] [--repeats 3] [--keep]

Seeds a scratch schema (bench_analytics) with --runs workflow runs in one namespace (generate_series,
rows as wide as synced ones), a second namespace of 10,000, --fires schedule fires and 2,400 sync
runs, and rolls the workflow stats up (migration 032's refresh: every bucket, as a full pass's completion
does, then from 65 minutes ago, as an incremental one's); then times, --repeats times each (medians), the typical query of every analytics view, every
Grafana panel and variable (their SQL expanded as Grafana does, 7 and 30 days), and the report's
queries (7 and 30 days), and saves EXPLAIN (ANALYZE, BUFFERS) of the view queries. Also measures
what the analytics indexes cost an insert. Postgres: DATABASE_URL, else postgres://root@127.0.0.1:5432/test.
The schema is dropped at the end unless --keep. Results: printed, and written to bench/results/.
View queries are timed twice: with the server's defaults, and with the report's session settings
(work_mem 64MB, jit off). Exit code 1 when a typical query (7 days, one type, open runs,
freshness, one schedule) takes a second or more.`;

const SCHEMA = 'bench_analytics';
const NS = 'bench-1m';
const ANALYTICS_INDEXES = [
  'workflow_start_hour_idx',
  'workflow_close_hour_idx',
  'workflow_start_day_idx',
  'workflow_close_day_idx',
  'workflow_open_start_idx',
];

/**
 * `fires` fires in the real fire log (migration 007): hourly schedules over the last 90 days; 97%
 * started within 2 s and 2% 1 to 10 minutes late (schedule_fire rows), 1% never started, counted
 * as the schedule trigger would: one missed_catchup_window event per schedule and day in schedule_event.
 */
async function seedFires(pool: pg.Pool, schema: string, namespace: string, fires: number): Promise<void> {
  await pool.query(
    `WITH f AS MATERIALIZED (
       SELECT 'schedule-' || sid AS schedule_id, date_trunc('hour', now()) - h * interval '1 hour' AS t, random() AS r
       FROM generate_series(1, ceil($2::float8 / 2160)::int) sid, generate_series(1, 2160) h
     ), started AS (
       INSERT INTO "${schema}".schedule_fire
         (namespace, schedule_id, workflow_id, run_id, workflow_type, scheduled_time, actual_start_time, start_status,
          read_at)
       SELECT $1, schedule_id, schedule_id || '-' || t, md5(schedule_id || t::text), 'ScheduledWorkflow', t,
         CASE WHEN r < 0.97 THEN t + random() * interval '2 seconds' ELSE t + (61 + random() * 540) * interval '1 second' END,
         'COMPLETED', now()
       FROM f WHERE r < 0.99
     )
     INSERT INTO "${schema}".schedule_event
       (namespace, schedule_id, kind, count, window_start, window_end, overlap_policy, catchup_window_seconds,
        actions_taken)
     SELECT $1, schedule_id, 'missed_catchup_window', count(*), min(t), max(t) + interval '1 minute',
       'SCHEDULE_OVERLAP_POLICY_SKIP', 60, 0
     FROM f WHERE r >= 0.99 GROUP BY schedule_id, date_trunc('day', t, 'UTC')`,
    [namespace, fires],
  );
}

/** The query a user (or the report) typically sends to each view. */
function viewQueries(s: string): Array<[string, string]> {
  const q = (view: string) => `"${s}".${view}`;
  return [
    [
      'workflow_stats_hourly: 7 days of one namespace',
      `SELECT * FROM ${q('workflow_stats_hourly')} WHERE namespace = '${NS}' AND bucket >= now() - interval '7 days'`,
    ],
    [
      'workflow_stats_hourly: 7 days of one type',
      `SELECT * FROM ${q('workflow_stats_hourly')} WHERE namespace = '${NS}' AND workflow_type = 'Type05' AND bucket >= now() - interval '7 days'`,
    ],
    [
      'workflow_stats_hourly: 30 days, counts per hour',
      `SELECT bucket, sum(started), sum(failed + timed_out) FROM ${q('workflow_stats_hourly')} WHERE namespace = '${NS}' AND bucket >= now() - interval '30 days' GROUP BY 1`,
    ],
    [
      'workflow_stats_hourly: 30 days, every column',
      `SELECT * FROM ${q('workflow_stats_hourly')} WHERE namespace = '${NS}' AND bucket >= now() - interval '30 days'`,
    ],
    [
      'workflow_stats_daily: 7 days of one namespace',
      `SELECT * FROM ${q('workflow_stats_daily')} WHERE namespace = '${NS}' AND bucket >= now() - interval '7 days'`,
    ],
    [
      'workflow_stats_daily: 30 days of one namespace',
      `SELECT * FROM ${q('workflow_stats_daily')} WHERE namespace = '${NS}' AND bucket >= now() - interval '30 days'`,
    ],
    [
      'workflow_stats_daily: one type, all time',
      `SELECT * FROM ${q('workflow_stats_daily')} WHERE namespace = '${NS}' AND workflow_type = 'Type05'`,
    ],
    [
      'workflow_stats_daily: whole namespace, all time',
      `SELECT * FROM ${q('workflow_stats_daily')} WHERE namespace = '${NS}'`,
    ],
    [
      'workflow_event: p95 per type of 7 days of completions',
      `SELECT workflow_type, percentile_cont(0.95) WITHIN GROUP (ORDER BY execution_time_seconds) FROM ${q('workflow_event')} WHERE namespace = '${NS}' AND event = 'closed' AND status = 'COMPLETED' AND event_time >= now() - interval '7 days' GROUP BY 1`,
    ],
    [
      'workflow_event: starts of 7 days (no index: a scan)',
      `SELECT count(*) FROM ${q('workflow_event')} WHERE namespace = '${NS}' AND event = 'started' AND event_time >= now() - interval '7 days'`,
    ],
    [
      'workflow_open_runs: the 20 oldest',
      `SELECT * FROM ${q('workflow_open_runs')} WHERE namespace = '${NS}' ORDER BY start_time LIMIT 20`,
    ],
    ['workflow_open_age: one namespace', `SELECT * FROM ${q('workflow_open_age')} WHERE namespace = '${NS}'`],
    [
      'sync_freshness: one namespace (2,400 sync runs)',
      `SELECT * FROM ${q('sync_freshness')} WHERE namespace = '${NS}'`,
    ],
    [
      'schedule_on_time_daily: 30 days of one namespace',
      `SELECT * FROM ${q('schedule_on_time_daily')} WHERE namespace = '${NS}' AND bucket >= now() - interval '30 days'`,
    ],
    [
      'schedule_fire_timeliness: one schedule, 7 days',
      `SELECT * FROM ${q('schedule_fire_timeliness')} WHERE namespace = '${NS}' AND schedule_id = 'schedule-7' AND scheduled_time >= now() - interval '7 days'`,
    ],
  ];
}

async function timeQuery(pool: pg.Pool | pg.PoolClient, sql: string, repeats: number) {
  const runs: number[] = [];
  let rows = 0;
  for (let i = 0; i < repeats; i++) {
    const { ms, value } = await timed(() => pool.query(sql));
    runs.push(ms);
    rows = value.rowCount ?? 0;
  }
  return { medianMs: round1(median(runs)), runsMs: runs.map(round1), rows };
}

async function explain(pool: pg.Pool | pg.PoolClient, sql: string): Promise<string> {
  const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`);
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

async function seed(pool: pg.Pool, runs: number, fires: number) {
  await pool.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await migrate(pool, SCHEMA);
  const steps: Array<[string, () => Promise<unknown>]> = [
    [`${runs} runs`, () => seedRuns(pool, SCHEMA, NS, runs)],
    ['10000 runs of a second namespace', () => seedRuns(pool, SCHEMA, 'small', 10_000)],
    [`${fires} schedule fires`, () => seedFires(pool, SCHEMA, NS, fires)],
    ['2400 sync runs', () => seedSyncRuns(pool, SCHEMA, NS, 2400)],
    // What migration 032 does to an existing table, and a full workflows pass at its completion.
    [`the rollup of ${runs} runs (every bucket)`, () => refreshWorkflowStats(pool, SCHEMA, NS, null)],
    ['the rollup of the second namespace', () => refreshWorkflowStats(pool, SCHEMA, 'small', null)],
    // What an incremental pass's completion does: from its cursor less the default 5-minute look-back.
    [
      'the rollup from an incremental pass (since 1 h 5 min ago)',
      () => refreshWorkflowStats(pool, SCHEMA, NS, new Date(Date.now() - 3_900_000)),
    ],
    [
      'VACUUM ANALYZE',
      () =>
        pool.query(
          `VACUUM ANALYZE "${SCHEMA}".workflow, "${SCHEMA}".schedule_fire, "${SCHEMA}".schedule_event, "${SCHEMA}".sync_run,
             "${SCHEMA}".workflow_stats_hourly_rollup, "${SCHEMA}".workflow_stats_daily_rollup`,
        ),
    ],
  ];
  const seeding: Record<string, number> = {};
  for (const [name, step] of steps) {
    const { ms } = await timed(step);
    seeding[name] = round1(ms);
    log(`seeded ${name} in ${(ms / 1000).toFixed(1)} s`);
  }
  const { rows } = await pool.query<{ table: string; indexes: string }>(
    `SELECT pg_size_pretty(pg_table_size('"${SCHEMA}".workflow')) AS table,
            string_agg(indexrelname || ' ' || pg_size_pretty(pg_relation_size(indexrelid)), ', ' ORDER BY indexrelname) AS indexes
     FROM pg_stat_user_indexes WHERE schemaname = $1 AND relname = 'workflow'`,
    [SCHEMA],
  );
  log(`workflow table ${rows[0]!.table}; indexes: ${rows[0]!.indexes}`);
  return { ...rows[0]!, seedingMs: seeding };
}

async function panelTimes(pool: pg.Pool, repeats: number) {
  const dashboard = loadDashboard();
  const results: Array<{ name: string; medianMs: number; rows: number }> = [];
  const now = new Date();
  // What Grafana would ask for on a 1,500-pixel-wide panel: 7 days -> 5 min, 30 days -> 30 min, raised to the panel's minimum.
  for (const [days, autoMs] of [
    [7, 300_000],
    [30, 1_800_000],
  ] as const) {
    const range = { from: new Date(now.getTime() - days * 86_400_000), to: now, intervalMs: autoMs };
    const context = await resolveVariables(pool, dashboard, SCHEMA, { namespace: [NS] }, range);
    for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
      const timing = await timeQuery(pool, expandGrafanaSql(variable.query, context), repeats);
      results.push({ name: `${days} d variable ${variable.name}`, ...timing });
    }
    for (const panel of dashboard.panels) {
      const minMs = panel.interval ? ({ '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 }[panel.interval] ?? 0) : 0;
      const sql = expandGrafanaSql(panel.targets[0]!.rawSql, { ...context, intervalMs: Math.max(autoMs, minMs) });
      results.push({ name: `${days} d panel ${panel.title}`, ...(await timeQuery(pool, sql, repeats)) });
    }
  }
  return results;
}

async function reportTimes(pool: pg.PoolClient, repeats: number) {
  const results: Array<{ name: string; medianMs: number }> = [];
  for (const days of [7, 30]) {
    const runs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const now = new Date();
      const window = resolveWindow({ days }, now);
      const { ms } = await timed(() =>
        collectReport({
          db: pool,
          schema: SCHEMA,
          namespace: NS,
          window,
          stalenessSeconds: 7200,
          now,
          progress: () => {},
        }),
      );
      runs.push(ms);
    }
    results.push({ name: `report queries, --days ${days}`, medianMs: round1(median(runs)) });
  }
  return results;
}

/**
 * What the analytics indexes cost the sync's own write path: pages of 1,000 runs through the
 * product's page writer (COPY into staging, one guarded merge), into a fresh schema with every migration and into one without
 * the analytics indexes; first as inserts, then the same pages again (conflicts, so updates).
 */
async function indexCost(pool: pg.Pool, count: number, repeats: number) {
  const columns = workflowTable.columns.map(([name]) => `"${name}"`).join(', ');
  const { rows } = await pool.query<WorkflowRow>(
    `SELECT ${columns.replace('"read_at"', 'now() AS read_at')} FROM "${SCHEMA}".workflow WHERE namespace = '${NS}' ORDER BY start_time DESC LIMIT ${count}`,
  );
  const results: Record<string, { insertRowsPerSecond: number; updateRowsPerSecond: number }> = {};
  for (const variant of ['without', 'with'] as const) {
    const schema = `${SCHEMA}_writes_${variant}`;
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await migrate(pool, schema);
    if (variant === 'without') {
      for (const index of ANALYTICS_INDEXES) await pool.query(`DROP INDEX "${schema}"."${index}"`);
    }
    const writer = createRowWriter(schema, workflowTable);
    const pass = async () => {
      for (let start = 0; start < rows.length; start += 1000) {
        const page = rows.slice(start, start + 1000);
        await inTransaction(pool, (client) => writer.write(client, page, '0'));
      }
    };
    const inserts: number[] = [];
    const updates: number[] = [];
    for (let i = 0; i < repeats; i++) {
      await pool.query(`TRUNCATE "${schema}".workflow`);
      inserts.push((await timed(pass)).ms);
      updates.push((await timed(pass)).ms);
    }
    results[variant] = {
      insertRowsPerSecond: Math.round((rows.length / median(inserts)) * 1000),
      updateRowsPerSecond: Math.round((rows.length / median(updates)) * 1000),
    };
    await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
  }
  log(`upsert of ${rows.length} runs in pages of 1,000 (rows/s): ${JSON.stringify(results)}`);
  return results;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '1000000' },
      fires: { type: 'string', default: '1000000' },
      repeats: { type: 'string', default: '3' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    log(HELP);
    return 0;
  }
  const [runs, fires, repeats] = [Number(values.runs), Number(values.fires), Number(values.repeats)];
  if (![runs, fires, repeats].every((n) => Number.isInteger(n) && n > 0))
    throw new Error('--runs, --fires and --repeats must be whole numbers above 0');
  const pool = createPool({ databaseUrl: BENCH_DATABASE_URL, max: 2, onIdleError: () => {} });
  // A connection set up as the report's is (src/db/analytics-session.ts).
  const tunedPool = createPool({ databaseUrl: BENCH_DATABASE_URL, max: 1, onIdleError: () => {} });
  const tuned = await tunedPool.connect();
  tuned.on('error', () => {});
  await tuneForAnalytics(tuned);
  try {
    const machine = `${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at the start`;
    log(machine);
    const sizes = await seed(pool, runs, fires);
    const views: Array<{ name: string; settings: string; medianMs: number; runsMs: number[]; rows: number }> = [];
    const plans: string[] = [];
    for (const [settings, db] of [
      ['defaults', pool],
      ['work_mem 64MB, jit off', tuned],
    ] as const) {
      for (const [name, sql] of viewQueries(SCHEMA)) {
        const timing = await timeQuery(db, sql, repeats);
        views.push({ name, settings, ...timing });
        log(
          `${String(timing.medianMs).padStart(8)} ms  ${String(timing.rows).padStart(6)} rows  ${name} (${settings})`,
        );
        plans.push(`-- ${name} (${settings})\n${sql}\n${await explain(db, sql)}\n`);
      }
    }
    const panels = await panelTimes(pool, repeats);
    for (const p of panels) log(`${String(p.medianMs).padStart(8)} ms  ${String(p.rows).padStart(6)} rows  ${p.name}`);
    const report = await reportTimes(tuned, repeats);
    for (const r of report) log(`${String(r.medianMs).padStart(8)} ms  ${r.name}`);
    const inserts = await indexCost(pool, 50_000, repeats);
    const planFile = path.resolve(
      __dirname,
      'results',
      `${new Date().toISOString().replace(/[:.]/g, '-')}-analytics-plans.txt`,
    );
    const loadAtEnd = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    log(`load average ${loadAtEnd} at the end`);
    writeResults('analytics', { machine, loadAtEnd, runs, fires, repeats, sizes, views, panels, report, inserts });
    writeFileSync(planFile, plans.join('\n'));
    log(`plans written to ${path.relative(process.cwd(), planFile)}`);
    const slow = [...views, ...panels, ...report].filter((r) => r.medianMs >= 1000);
    // Exit 1 only when a typical query (7 days, one type, open runs, freshness) is slow; 30 days and a whole namespace are reported.
    const typical = views.filter((v) => v.medianMs >= 1000 && !/30 days|whole namespace/.test(v.name));
    for (const r of slow) log(`over 1 s: ${r.name} (${r.medianMs} ms)`);
    return typical.length > 0 ? 1 : 0;
  } finally {
    if (!values.keep) await pool.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => {});
    tuned.release();
    await Promise.all([pool.end(), tunedPool.end()]);
  }
}

runBench(main);
