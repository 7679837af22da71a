import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applySchedules } from '../../src/schedules/apply';
import { loadScheduleDefinitions } from '../../src/schedules/load';
import type { SyncSummary } from '../../src/workflows/sync-workflow';
import { freePort, launchBrowser, type TestBrowser } from '../helpers/browser';
import { assertCompletedRows, createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { SEED_TASK_QUEUE, startSeedWorker, startSyncWorker, type RunningWorker } from '../helpers/workers';
import { waitFor } from '../helpers/wait';

const HOURLY = 'temporal-sync-hourly-incremental';
/** Screenshots a person can look at after the run; not committed (.gitignore). */
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

describe('a sync started from the Temporal Web UI in a real browser', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let seedWorker: RunningWorker;
  let syncWorker: RunningWorker;
  let browser: TestBrowser;
  let ui: string;
  const seededIds = ['ui-seeded-1', 'ui-seeded-2'];

  before(async () => {
    const uiPort = await freePort();
    temporal = await startTemporal([], { uiPort });
    ui = `http://127.0.0.1:${uiPort}`;
    db = await createTestDatabase('web_ui');
    seedWorker = await startSeedWorker(temporal);
    syncWorker = await startSyncWorker(temporal, db);
    for (const workflowId of seededIds) {
      await temporal.sourceClient.workflow.execute('completes', { taskQueue: SEED_TASK_QUEUE, workflowId, args: [] });
    }
    const definitions = loadScheduleDefinitions({ taskQueue: syncWorker.taskQueue });
    await applySchedules({ client: temporal.client, definitions });
    browser = await launchBrowser();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await syncWorker?.stop();
    await seedWorker?.stop();
    await db?.dispose();
    await temporal?.stop();
  });

  it('triggers the managed hourly schedule from its page; the run completes and its rows are in Postgres', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${ui}/namespaces/default/schedules/${HOURLY}`);
    await page.getByTestId('schedule-name').filter({ hasText: HOURLY }).waitFor();

    const clickedAt = new Date();
    await page.getByRole('button', { name: 'Schedule Actions' }).click();
    await page.getByTestId('trigger-schedule').click();
    const dialog = page.locator('#trigger-schedule-modal');
    await dialog.getByText('Trigger Immediately').waitFor();
    await dialog.getByTestId('confirm-modal-button').click();

    const action = await waitFor('the run the UI triggered', async () =>
      (await temporal.client.schedule.getHandle(HOURLY).describe()).info.recentActions.find(
        (recent) => recent.takenAt >= clickedAt,
      ),
    );
    const workflowId = action.action.workflow.workflowId;
    const summary = (await temporal.client.workflow.getHandle(workflowId).result()) as SyncSummary;
    assert.ok((summary.streams.workflows?.rows ?? 0) >= seededIds.length);

    await assertCompletedRows(db, SOURCE_NAMESPACE, seededIds);
    const { rows: runs } = await db.pool.query(
      `SELECT status, mode FROM "${db.schema}".sync_run WHERE workflow_id = $1`,
      [workflowId],
    );
    assert.deepEqual(runs, [{ status: 'completed', mode: 'incremental' }]);

    // The UI shows the run it started, completed, on the workflow's own page.
    await page.goto(`${ui}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByText(workflowId).first().waitFor();
    await page.getByText('Completed').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-ui-triggered-sync.png'), fullPage: true });
    await page.close();
  });
});
