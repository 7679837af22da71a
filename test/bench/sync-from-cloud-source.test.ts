import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { startCloudSource, type CloudSource } from '../../bench/support/cloud-source';
import { lenientDecodingCodec } from '../../src/source/lenient-codec';
import { createTestDatabase, tableRows, type TestDatabase } from '../helpers/postgres';
import { startTemporal, type TestTemporal } from '../helpers/temporal';
import { runSync, startSyncWorker, type RunningWorker } from '../helpers/workers';

/**
 * SyncWorkflow on a real dev server, reading its source namespace from the cloud-like source: the
 * bench's setup, small. The tables must hold exactly what the source serves, after a full pass and
 * after an incremental pass over a change made with the source's mutations.
 */

const N = 3000;
const NAMESPACE = 'synced';

async function sourceStatuses(client: Client): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({ namespace: NAMESPACE, nextPageToken });
    for (const e of page.executions) statuses.set(`${e.execution?.workflowId} ${e.execution?.runId}`, String(e.status));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return statuses;
}

const STATUS_NUMBERS: Record<string, string> = {
  RUNNING: '1',
  COMPLETED: '2',
  FAILED: '3',
  CANCELED: '4',
  TERMINATED: '5',
  CONTINUED_AS_NEW: '6',
  TIMED_OUT: '7',
};

async function tableStatuses(db: TestDatabase): Promise<Map<string, string>> {
  const rows = await tableRows(db.pool, db.schema, 'workflow', NAMESPACE);
  return new Map(
    rows.map((row) => [`${String(row.workflow_id)} ${String(row.run_id)}`, STATUS_NUMBERS[String(row.status)]!]),
  );
}

describe('a sync reading from the cloud-like source', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let source: CloudSource;
  let connection: Connection;
  let client: Client;
  let worker: RunningWorker;

  before(async () => {
    [temporal, db, source] = await Promise.all([
      startTemporal(),
      createTestDatabase('cloud_source_sync'),
      startCloudSource({ namespaces: { [NAMESPACE]: N }, visibilityRps: 30 }),
    ]);
    connection = await Connection.connect({ address: source.address });
    client = new Client({ connection, namespace: NAMESPACE, dataConverter: { payloadCodecs: [lenientDecodingCodec] } });
    worker = await startSyncWorker(temporal, db, { source: client, namespace: NAMESPACE });
  });

  after(async () => {
    await worker?.stop();
    await connection?.close();
    await source?.stop();
    await db?.dispose();
    await temporal?.stop();
  });

  it('writes every execution and schedule the source serves, then exactly the changes made to it', async () => {
    const full = await runSync(temporal, worker, { mode: 'full' });
    assert.equal(full.streams.workflows?.rows, N);
    assert.equal(full.streams.schedules?.rows, 200);
    assert.deepEqual(await tableStatuses(db), await sourceStatuses(client));
    assert.equal((await tableRows(db.pool, db.schema, 'schedule', NAMESPACE)).length, 200);

    const change = await source.mutate({ namespace: NAMESPACE, close: 30, start: 20 });
    assert.deepEqual([change.closed, change.started], [30, 20]);
    const incremental = await runSync(temporal, worker, { mode: 'incremental' });
    assert.equal(incremental.streams.workflows?.full, false);
    const expected = await sourceStatuses(client);
    assert.equal(expected.size, N + 20);
    assert.deepEqual(await tableStatuses(db), expected);
    const stats = await source.stats();
    assert.equal(stats.visibility[NAMESPACE]?.rejected ?? 0, 0, 'well within 30 calls/s');
  });
});
