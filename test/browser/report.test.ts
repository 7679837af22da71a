import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { formatCount, formatPercent } from '../../src/report/format';
import { ensureScheduleOnTimeViews, insertFires, makeFires, stopCounterEvents } from '../helpers/analytics-fire-log';
import { DAY, HOUR, isOpen, timeliness } from '../helpers/analytics-expected';
import { insertRuns, insertSyncRuns, makeRuns, type SeedFire, type SeedRun } from '../helpers/analytics-seed';
import { launchBrowser, type TestBrowser } from '../helpers/browser';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { runReport } from '../helpers/report-cli';
import { refreshWorkflowStats } from '../../src/db/analytics-rollup';

const NS = "team's namespace";
/** Screenshots a person can look at after the run; not committed (.gitignore). */
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

/** The sums a reader should find in the report, computed from the seeded rows for the report's window. */
function expectedWindow(runs: SeedRun[], fires: SeedFire[], since: number, until: number, now: Date) {
  const inWindow = (time: Date | null) => time !== null && time.getTime() >= since && time.getTime() < until;
  const mine = runs.filter((run) => run.namespace === NS);
  const closed = mine.filter((run) => inWindow(run.close_time));
  const count = (status: string) => closed.filter((run) => run.status === status).length;
  const ended = closed.length - count('CONTINUED_AS_NEW');
  const windowFires = fires.filter(
    (fire) => fire.scheduled_time.getTime() >= Math.floor(since / DAY) * DAY && fire.scheduled_time.getTime() < until,
  );
  const verdicts = windowFires.map((fire) => timeliness(fire, now));
  return {
    started: mine.filter((run) => inWindow(run.start_time)).length,
    closed: closed.length,
    failed: count('FAILED'),
    timedOut: count('TIMED_OUT'),
    completed: count('COMPLETED'),
    failureRate: (count('FAILED') + count('TIMED_OUT')) / ended,
    open: mine.filter(isOpen).sort((a, b) => a.start_time.getTime() - b.start_time.getTime()),
    fires: { missed: verdicts.filter((v) => v === 'missed').length, late: verdicts.filter((v) => v === 'late').length },
  };
}

/** Sum of the numbers a chart's bars carry for one series. */
async function chartSum(page: Page, chart: string, series: string): Promise<number> {
  const values = await page
    .locator(`figure[data-chart="${chart}"] [data-series="${series}"]`)
    .evaluateAll((nodes) =>
      nodes.map((node) => (node as { getAttribute(name: string): string | null }).getAttribute('data-value')),
    );
  return values.reduce((sum, value) => sum + Number(value), 0);
}

describe('the report, rendered in headless Chromium', () => {
  let db: TestDatabase;
  let browser: TestBrowser;
  let dir: string;
  let runs: SeedRun[];
  let fires: SeedFire[];
  const now = new Date();

  before(async () => {
    db = await createTestDatabase('report_browser');
    runs = [...makeRuns(NS, 800, now, 70, 21), ...makeRuns('elsewhere', 100, now, 70, 22)];
    runs.push({
      ...runs[0]!,
      workflow_id: 'stuck-for-weeks',
      run_id: 'r-stuck',
      status: 'RUNNING',
      close_time: null,
      execution_time_seconds: null,
      deleted_at: null,
      start_time: new Date(now.getTime() - 20 * DAY),
    });
    await insertRuns(db.pool, db.schema, runs);
    // Rolled up as completed workflows passes leave it: the past from the rollup, this hour and day live.
    for (const namespace of [NS, 'elsewhere']) await refreshWorkflowStats(db.pool, db.schema, namespace, null);
    await ensureScheduleOnTimeViews(db.pool, db.schema);
    fires = makeFires(NS, now);
    await insertFires(db.pool, db.schema, fires);
    await insertSyncRuns(db.pool, db.schema, [
      {
        namespace: NS,
        workflow_id: 'full',
        mode: 'full',
        streams: ['workflows', 'schedules'],
        status: 'completed',
        started_at: new Date(now.getTime() - 26 * HOUR),
        finished_at: new Date(now.getTime() - 25 * HOUR),
        rows_per_stream: { workflows: 700 },
        error: null,
      },
      {
        namespace: NS,
        workflow_id: 'incr',
        mode: 'incremental',
        streams: ['workflows', 'schedules'],
        status: 'completed',
        started_at: new Date(now.getTime() - 20 * 60_000),
        finished_at: new Date(now.getTime() - 19 * 60_000),
        rows_per_stream: { workflows: 12 },
        error: null,
      },
    ]);
    await stopCounterEvents(db.pool, db.schema);
    await db.pool.query(
      `INSERT INTO "${db.schema}".schedule (namespace, schedule_id, paused, num_actions_taken,
         num_actions_missed_catchup_window, num_actions_skipped_overlap)
       VALUES ($1, 'flaky-sync', false, 40, 3, 1), ($1, 'hourly-report', false, 72, 0, 0), ('elsewhere', 'other', true, 1, 9, 9)`,
      [NS],
    );
    browser = await launchBrowser();
    dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-sync-report-'));
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
    await db?.dispose();
  });

  it('shows the verdict, the tiles, every chart and table with the seeded numbers, and fetches nothing', async () => {
    const out = path.join(dir, 'report.html');
    const run = await runReport(['--namespace', NS, '--days', '3', '--out', out], {
      DATABASE_URL: db.databaseUrl,
      TEMPORAL_SYNC_SCHEMA: db.schema,
    });
    assert.equal(run.code, 0, run.stderr);
    const html = readFileSync(out, 'utf8');
    assert.doesNotMatch(html, /<script|<link|@import|url\(|src=/i, 'self-contained: nothing to load, nothing to run');
    assert.match(html, /Customer&#39;s &lt;b&gt;Sync&lt;\/b&gt;/, 'a type name with markup is shown as text');

    const until = Math.floor(now.getTime() / DAY) * DAY + DAY;
    const want = expectedWindow(runs, fires, until - 3 * DAY, until, new Date());
    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`file://${out}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });

    assert.equal(
      await page.locator('[data-verdict]').getAttribute('data-verdict'),
      'bad',
      'the first type fails a third of the time',
    );
    const tile = (id: string) => page.locator(`[data-tile="${id}"] .value`).innerText();
    assert.equal(await tile('started'), formatCount(want.started));
    assert.equal(await tile('failure-rate'), formatPercent(want.failureRate));
    assert.equal(await tile('open'), formatCount(want.open.length));
    assert.match(
      await page.locator('[data-tile="schedules"] .sub').innerText(),
      new RegExp(`^${want.fires.missed} missed · ${want.fires.late} late$`),
    );

    assert.equal(await chartSum(page, 'closed-by-status', 'completed'), want.completed);
    assert.equal(await chartSum(page, 'closed-by-status', 'failed'), want.failed);
    assert.equal(await chartSum(page, 'closed-by-status', 'timed out'), want.timedOut);
    for (const chart of ['closed-by-status', 'failures-by-type', 'durations', 'open-by-age', 'schedule-fires']) {
      assert.ok((await page.locator(`figure[data-chart="${chart}"] svg`).count()) === 1, `${chart} is drawn`);
    }
    assert.equal(
      await chartSum(page, 'open-by-age', '7 to 30 days'),
      want.open.filter((r) => now.getTime() - r.start_time.getTime() >= 7 * DAY).length,
    );
    assert.equal(await chartSum(page, 'schedule-fires', 'missed'), want.fires.missed);

    const firstType = page.locator('table[data-table="types"] tbody tr').first().locator('td');
    assert.equal(await firstType.nth(0).innerText(), 'OrderWorkflow', 'the type that fails most comes first');
    const oldest = page.locator('table[data-table="oldest-open"] tbody tr').first().locator('td');
    assert.equal(await oldest.nth(0).innerText(), 'stuck-for-weeks');
    assert.equal(await oldest.nth(4).innerText(), '20 d');
    assert.equal(await page.locator('table[data-table="freshness"] tbody tr').count(), 2);
    assert.equal(await page.locator('table[data-table="schedule-fires"] tbody tr').count(), 3);
    assert.deepEqual(
      requests.filter((url) => url !== `file://${out}`),
      [],
      'no request beyond the file itself',
    );
    await page.close();
  });
});
