import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureScheduleOnTimeViews, insertFires, makeFires, stopCounterEvents } from '../helpers/analytics-fire-log';
import { HOUR, DAY } from '../helpers/analytics-expected';
import { insertRuns, insertSyncRuns, makeRuns, SEED_TYPES, type SeedSyncRun } from '../helpers/analytics-seed';
import {
  loadDashboard,
  loadProvisioning,
  resolveVariables,
  runGrafanaSql,
  type Dashboard,
  type Selection,
} from '../helpers/grafana-dashboard';
import {
  expectedPanels,
  expectedTypeOptions,
  type ExpectedPanel,
  type Scenario,
  type Seeded,
} from '../helpers/grafana-expectations';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { refreshWorkflowStats } from '../../src/db/analytics-rollup';

const NS = "team's namespace";
const PAYMENTS = 'payments-prod';

function same(actual: unknown, expected: unknown, tolerance: number | undefined): boolean {
  if (typeof actual === 'number' && typeof expected === 'number') {
    return Math.abs(actual - expected) <= (tolerance ?? 1e-9 * Math.max(1, Math.abs(expected)));
  }
  if (actual instanceof Date && expected instanceof Date) return actual.getTime() === expected.getTime();
  return actual === expected;
}

/** Every difference between a panel's rows and the expected ones, described. */
function differences(rows: Array<Record<string, unknown>>, want: ExpectedPanel): string[] {
  if (rows.length !== want.rows.length) return [`${rows.length} rows, expected ${want.rows.length}`];
  const approx = want.approx ?? {};
  const exactKey = (row: Record<string, unknown>) =>
    JSON.stringify(Object.entries(row).filter(([column]) => !(column in approx)));
  const order = (list: Array<Record<string, unknown>>) =>
    want.ordered ? list : [...list].sort((a, b) => exactKey(a).localeCompare(exactKey(b)));
  const [got, expected] = [order(rows), order(want.rows)];
  const problems: string[] = [];
  expected.forEach((row, i) => {
    for (const [column, value] of Object.entries(row)) {
      if (!same(got[i]![column], value, approx[column])) {
        problems.push(`row ${i} ${column}: ${String(got[i]![column])} != ${String(value)} (${exactKey(row)})`);
      }
    }
    if (Object.keys(got[i]!).length !== Object.keys(row).length)
      problems.push(`row ${i} columns ${Object.keys(got[i]!).join(', ')}`);
  });
  if (want.descending) {
    const measures = rows.map(want.descending);
    if (measures.some((m, i) => i > 0 && m > measures[i - 1]!))
      problems.push(`not sorted by its measure: ${measures.join(', ')}`);
  }
  return problems;
}

describe('the Grafana dashboard, its SQL expanded as Grafana does, against seeded tables', () => {
  let db: TestDatabase;
  let dashboard: Dashboard;
  const now = new Date();
  const data: Seeded = { runs: [], fires: [], schedules: [], syncRuns: [] };

  before(async () => {
    db = await createTestDatabase('grafana');
    dashboard = loadDashboard();
    data.runs = [...makeRuns(NS, 700, now, 72, 11), ...makeRuns(PAYMENTS, 250, now, 72, 12)];
    await insertRuns(db.pool, db.schema, data.runs);
    // Rolled up as completed workflows passes leave it: the past from the rollup, this hour and day live.
    for (const namespace of [NS, PAYMENTS]) await refreshWorkflowStats(db.pool, db.schema, namespace, null);
    await ensureScheduleOnTimeViews(db.pool, db.schema);
    data.fires = makeFires(NS, now);
    await insertFires(db.pool, db.schema, data.fires);
    const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);
    const sync = (
      namespace: string,
      status: SeedSyncRun['status'],
      hoursAgo: number,
      streams: string[],
    ): SeedSyncRun => ({
      namespace,
      workflow_id: `sync-${namespace}-${hoursAgo}`,
      mode: hoursAgo > 20 ? 'full' : 'incremental',
      streams,
      status,
      started_at: at(hoursAgo + 0.05),
      finished_at: at(hoursAgo),
      rows_per_stream: { workflows: Math.round(100 + hoursAgo), schedules: 3 },
      error: status === 'failed' ? 'relation "workflow" does not exist (it\'s gone)' : null,
    });
    data.syncRuns = [
      sync(NS, 'completed', 25, ['workflows', 'schedules']),
      sync(NS, 'completed', 1.5, ['workflows', 'schedules']),
      sync(NS, 'failed', 0.5, ['workflows']),
      sync(PAYMENTS, 'completed', 5, ['workflows']),
    ];
    await insertSyncRuns(db.pool, db.schema, data.syncRuns);
    data.schedules = [
      {
        namespace: NS,
        schedule_id: 'hourly-report',
        paused: false,
        num_actions_taken: 48,
        num_actions_missed_catchup_window: 0,
        num_actions_skipped_overlap: 2,
      },
      {
        namespace: NS,
        schedule_id: 'flaky-sync',
        paused: true,
        num_actions_taken: 6,
        num_actions_missed_catchup_window: 3,
        num_actions_skipped_overlap: 1,
      },
      {
        namespace: PAYMENTS,
        schedule_id: 'settle',
        paused: false,
        num_actions_taken: 9,
        num_actions_missed_catchup_window: 0,
        num_actions_skipped_overlap: 0,
      },
    ];
    // The trigger has its own tests with the fire log.
    await stopCounterEvents(db.pool, db.schema);
    for (const s of data.schedules) {
      await db.pool.query(
        `INSERT INTO "${db.schema}".schedule (namespace, schedule_id, paused, num_actions_taken,
           num_actions_missed_catchup_window, num_actions_skipped_overlap) VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          s.namespace,
          s.schedule_id,
          s.paused,
          s.num_actions_taken,
          s.num_actions_missed_catchup_window,
          s.num_actions_skipped_overlap,
        ],
      );
    }
    await db.pool.query(
      `INSERT INTO "${db.schema}".schedule (namespace, schedule_id, paused, num_actions_missed_catchup_window, deleted_at)
       VALUES ($1, 'deleted-one', false, 99, now())`,
      [NS],
    );
    await db.pool.query(`ALTER TABLE "${db.schema}".schedule ENABLE TRIGGER schedule_counters_changed`);
  });

  after(async () => {
    await db?.dispose();
  });

  it('is provisioned: a PostgreSQL data source with the uid every query names, and a file provider for the dashboard', () => {
    const { datasource: source, provider } = loadProvisioning();
    assert.equal(source.type, 'grafana-postgresql-datasource');
    assert.equal(
      source.secureJsonData.password,
      '${TEMPORAL_SYNC_GRAFANA_DB_PASSWORD}',
      'the password comes from the environment',
    );
    const refs = [
      ...dashboard.panels.flatMap((panel) => [panel.datasource, ...panel.targets.map((target) => target.datasource)]),
      ...dashboard.templating.list.flatMap((variable) => (variable.datasource ? [variable.datasource] : [])),
    ];
    assert.ok(refs.length > 30);
    for (const ref of refs) assert.deepEqual(ref, { type: source.type, uid: source.uid });
    assert.equal(provider.options.path, '/var/lib/grafana/dashboards/temporal-sync');
    assert.ok(dashboard.schemaVersion >= 41, `schemaVersion ${dashboard.schemaVersion} is a current Grafana's`);
    const variables = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    for (const name of ['namespace', 'workflow_type']) {
      assert.equal(variables[name]?.multi, true, `${name} is multi-value`);
      assert.equal(variables[name]?.includeAll, true, `${name} offers All`);
    }
    const ids = dashboard.panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  });

  it('offers the namespaces and, for them, the workflow types with runs in the time range', async () => {
    const range = { from: new Date(now.getTime() - 30 * HOUR), to: now, intervalMs: HOUR };
    const all = await resolveVariables(db.pool, dashboard, db.schema, {}, range);
    const options = (name: string) => all.variables.find((v) => v.name === name)!.options;
    assert.deepEqual([...options('namespace')].sort(), [NS, PAYMENTS].sort());
    assert.deepEqual(
      [...options('workflow_type')].sort(),
      expectedTypeOptions(data, [NS, PAYMENTS], range.from, range.to).sort(),
    );
    const narrow = { from: new Date(now.getTime() - 2 * HOUR), to: now, intervalMs: HOUR };
    const one = await resolveVariables(db.pool, dashboard, db.schema, { namespace: [PAYMENTS] }, narrow);
    const types = one.variables.find((v) => v.name === 'workflow_type')!.options;
    assert.deepEqual([...types].sort(), expectedTypeOptions(data, [PAYMENTS], narrow.from, narrow.to).sort());
    assert.ok(types.length < SEED_TYPES.length || types.length > 0);
  });

  const scenarios: Array<{ name: string; selection: Selection; hours: number; intervalMs: number }> = [
    {
      name: 'one namespace (with a quote in its name), all types, hourly',
      selection: { namespace: [NS] },
      hours: 48,
      intervalMs: HOUR,
    },
    {
      name: 'all namespaces, two types (one with a quote and markup), daily',
      selection: { workflow_type: ['OrderWorkflow', "Customer's <b>Sync</b>"] },
      hours: 60,
      intervalMs: DAY,
    },
  ];

  for (const scenario of scenarios) {
    it(`every panel returns the seeded numbers: ${scenario.name}`, async () => {
      const range = {
        from: new Date(now.getTime() - scenario.hours * HOUR - 123),
        to: now,
        intervalMs: scenario.intervalMs,
      };
      const context = await resolveVariables(db.pool, dashboard, db.schema, scenario.selection, range);
      const value = (name: string) => {
        const v = context.variables.find((variable) => variable.name === name)!;
        return Array.isArray(v.current) && v.current[0] === '$__all' ? v.options : (v.current as string[]);
      };
      const s: Scenario = { namespaces: value('namespace'), types: value('workflow_type'), ...range };
      const expected = expectedPanels(data, s, new Date());
      const problems: string[] = [];
      for (const panel of dashboard.panels) {
        const want = expected[panel.title];
        if (!want) {
          problems.push(`${panel.title}: no expectation written for this panel`);
          continue;
        }
        const target = panel.targets[0]!;
        const { rows, columns } = await runGrafanaSql(db.pool, target.rawSql, context);
        if (target.format === 'time_series') {
          assert.equal(columns[0], 'time', `${panel.title}: a time series starts with its time column`);
          const times = rows.map((row) => row.time as number);
          assert.ok(
            times.every((t, i) => i === 0 || t >= times[i - 1]!),
            `${panel.title}: sorted by time`,
          );
        }
        if (panel.type === 'stat') assert.equal(rows.length, 1, `${panel.title}: one value`);
        problems.push(...differences(rows, want).map((problem) => `${panel.title}: ${problem}`));
        if (want.rows.length === 0) problems.push(`${panel.title}: the seed gives it nothing to show`);
      }
      assert.deepEqual(problems, []);
    });
  }

  it('a namespace with nothing in the range gives empty panels, not errors', async () => {
    const range = {
      from: new Date(now.getTime() - 400 * DAY),
      to: new Date(now.getTime() - 399 * DAY),
      intervalMs: HOUR,
    };
    const context = await resolveVariables(db.pool, dashboard, db.schema, { namespace: [PAYMENTS] }, range);
    for (const panel of dashboard.panels) {
      const { rows } = await runGrafanaSql(db.pool, panel.targets[0]!.rawSql, context);
      if (panel.type === 'stat') assert.equal(rows.length, 1, panel.title);
    }
  });
});
