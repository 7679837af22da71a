import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/sync-worker';
import { bundleOnce } from '../helpers/workers';

const HISTORIES = path.join(__dirname, 'histories');
const files = readdirSync(HISTORIES).filter((file) => file.endsWith('.json'));

describe('recorded workflow histories replay against the current workflow code', () => {
  it("has the histories to replay, of the code before the stream contract, before the lanes' calls, and of the current code", () => {
    const current = [
      'full',
      'incremental',
      'continued-as-new-first-run',
      'continued-as-new-last-run',
      'partitioned',
      'cancelled',
      'failed-bad-input',
      'failed-alerted',
      'failed-retry-policy',
      'recovered-alerted',
      'alert-delivered',
      'staleness-check',
    ];
    for (const kind of current) assert.ok(files.includes(`streams-${kind}.json`), `streams-${kind}.json is recorded`);
    // The lanes' visibility calls handed from activity to activity, and from the plan.
    for (const kind of ['full', 'partitioned', 'continued-as-new-first-run', 'continued-as-new-last-run']) {
      assert.ok(files.includes(`lanes-${kind}.json`), `lanes-${kind}.json is recorded`);
    }
    for (const kind of [
      'full',
      'incremental',
      'continued-as-new-first-run',
      'cancelled',
      'failed-bad-input',
      'failed-alerted',
      'failed-retry-policy',
      'recovered-alerted',
      'alert-delivered',
      'staleness-check',
    ]) {
      assert.ok(files.includes(`${kind}.json`), `test/replay/histories/${kind}.json is recorded`);
    }
  });

  it('catches a change that breaks replay', async () => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, 'full.json'), 'utf8')));
    const changed = await bundleOnce(require.resolve('../fixtures/changed-sync-workflow'));
    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle: changed }, history, 'full.json'),
      DeterminismViolationError,
    );
  });

  for (const file of files) {
    it(`replays ${file} without nondeterminism`, async () => {
      const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')));
      // Throws DeterminismViolationError when the code no longer makes the recorded decisions.
      await Worker.runReplayHistory({ workflowBundle: await bundleOnce(WORKFLOWS_PATH) }, history, file);
    });
  }
});
