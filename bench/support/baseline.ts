import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { qualified, quoteIdent } from '../../src/db/identifiers';
import { createRowWriter } from '../../src/db/rows';
import { inTransaction } from '../../src/db/transaction';
import { workflowTable } from '../../src/db/workflow-rows';
import { toStorable } from '../../src/json';
import { executionToRow, type WorkflowRow } from '../../src/source/executions';
import { PAGE_SIZE } from './source';
import { timed } from './stats';

/** What the seed connector does per execution: one INSERT ... ON CONFLICT DO UPDATE, autocommit. */
function rowUpsertSql(schema: string): string {
  const names = workflowTable.columns.map(([name]) => quoteIdent(name));
  const keys = new Set<string>(workflowTable.key);
  const placeholders = workflowTable.columns.map(([, type], i) => `$${i + 1}::${type}`);
  const updates = workflowTable.columns
    .filter(([name]) => !keys.has(name))
    .map(([name]) => `${quoteIdent(name)} = excluded.${quoteIdent(name)}`);
  return `INSERT INTO ${qualified(schema, 'workflow')} (${names.join(', ')}, synced_at)
VALUES (${placeholders.join(', ')}, now())
ON CONFLICT (${workflowTable.key.map(quoteIdent).join(', ')}) DO UPDATE SET ${updates.join(', ')}, synced_at = now()`;
}

function rowValues(row: WorkflowRow): unknown[] {
  const storable = toStorable(row) as Record<string, unknown>;
  return workflowTable.columns.map(([name, type]) => {
    const value = storable[name];
    return type === 'jsonb' && value !== null ? JSON.stringify(value) : value;
  });
}

/**
 * The row-at-a-time baseline into an emptied table: pages are read one after another (no prefetch),
 * and every execution is awaited as its own upsert statement, as the seed connector writes.
 */
export async function measureBaseline(
  client: Client,
  pool: pg.Pool,
  schema: string,
): Promise<{ ms: number; rows: number }> {
  await pool.query(`TRUNCATE ${qualified(schema, 'workflow')}`);
  const sql = rowUpsertSql(schema);
  const namespace = client.options.namespace;
  const { ms } = await timed(async () => {
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await client.workflowService.listWorkflowExecutions({
        namespace,
        pageSize: PAGE_SIZE,
        nextPageToken,
      });
      for (const execution of page.executions) {
        await pool.query(sql, rowValues(executionToRow(namespace, execution)));
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
  });
  const { rows } = await pool.query<{ count: string }>(`SELECT count(*) FROM ${qualified(schema, 'workflow')}`);
  return { ms, rows: Number(rows[0]!.count) };
}

/** Writes only, rows already listed: one awaited upsert statement per row, as the baseline writes. */
export async function measureRowWrites(
  pool: pg.Pool,
  schema: string,
  rows: readonly WorkflowRow[],
): Promise<{ ms: number; rows: number }> {
  await pool.query(`TRUNCATE ${qualified(schema, 'workflow')}`);
  const sql = rowUpsertSql(schema);
  const { ms } = await timed(async () => {
    for (const row of rows) await pool.query(sql, rowValues(row));
  });
  const { rows: count } = await pool.query<{ count: string }>(`SELECT count(*) FROM ${qualified(schema, 'workflow')}`);
  return { ms, rows: Number(count[0]!.count) };
}

/** Writes only, rows already listed: the sync's own page writer (COPY into staging, one merge), a transaction per page of 1000. */
export async function measurePageWrites(
  pool: pg.Pool,
  schema: string,
  rows: readonly WorkflowRow[],
): Promise<{ ms: number; rows: number }> {
  await pool.query(`TRUNCATE ${qualified(schema, 'workflow')}`);
  const writer = createRowWriter(schema, workflowTable);
  const noSyncRun = '0'; // lineage as a sync writes it, without a sync_run row: the bench times the write alone
  const { ms } = await timed(async () => {
    for (let start = 0; start < rows.length; start += PAGE_SIZE) {
      const page = rows.slice(start, start + PAGE_SIZE);
      await inTransaction(pool, (client) => writer.write(client, page, noSyncRun));
    }
  });
  const { rows: count } = await pool.query<{ count: string }>(`SELECT count(*) FROM ${qualified(schema, 'workflow')}`);
  return { ms, rows: Number(count[0]!.count) };
}

/**
 * The seed connector's way on a sample: pages read one after another from the source as it is
 * configured (its latency and budget), every execution awaited as its own upsert, autocommit, until
 * `limit` rows. At 1M rows this way would take hours; its rate on a sample is what compares.
 */
export async function measureBaselineSample(
  client: Client,
  pool: pg.Pool,
  schema: string,
  limit: number,
): Promise<{ ms: number; rows: number }> {
  await pool.query(`TRUNCATE ${qualified(schema, 'workflow')}`);
  const sql = rowUpsertSql(schema);
  const namespace = client.options.namespace;
  let written = 0;
  const { ms } = await timed(async () => {
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await client.workflowService.listWorkflowExecutions({
        namespace,
        pageSize: PAGE_SIZE,
        nextPageToken,
      });
      for (const execution of page.executions.slice(0, limit - written)) {
        await pool.query(sql, rowValues(executionToRow(namespace, execution)));
        written += 1;
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken && written < limit);
  });
  const { rows } = await pool.query<{ count: string }>(`SELECT count(*) FROM ${qualified(schema, 'workflow')}`);
  return { ms, rows: Number(rows[0]!.count) };
}
