import type pg from 'pg';
import { qualified } from './identifiers';

export interface PartitionKey {
  syncRunId: string;
  stream: string;
  partition: number;
}

/** A partition as committed: where its next page starts and what it has written so far. */
export interface PartitionState {
  partition: number;
  query: string;
  pageToken: Buffer | null;
  pages: number;
  rows: number;
  rejected: number;
  done: boolean;
  resumedAtPages: number[];
}

const STATE = `partition, query, page_token AS "pageToken", pages, rows::float8 AS rows, rejected::float8 AS rejected,
  done, resumed_at_pages AS "resumedAtPages"`;

export async function insertPartitions(
  client: pg.PoolClient,
  schema: string,
  syncRunId: string,
  stream: string,
  queries: readonly string[],
): Promise<void> {
  await client.query(
    `INSERT INTO ${qualified(schema, 'sync_partition')} (sync_run_id, stream, partition, query)
     SELECT $1, $2, ordinality - 1, query FROM unnest($3::text[]) WITH ORDINALITY AS q(query, ordinality)`,
    [syncRunId, stream, queries],
  );
}

export async function loadPartition(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  key: PartitionKey,
): Promise<PartitionState | undefined> {
  const { rows } = await db.query<PartitionState>(
    `SELECT ${STATE} FROM ${qualified(schema, 'sync_partition')}
     WHERE sync_run_id = $1 AND stream = $2 AND partition = $3`,
    [key.syncRunId, key.stream, key.partition],
  );
  return rows[0];
}

export async function loadPartitions(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  syncRunId: string,
): Promise<Array<PartitionState & { stream: string }>> {
  const { rows } = await db.query<PartitionState & { stream: string }>(
    `SELECT stream, ${STATE} FROM ${qualified(schema, 'sync_partition')} WHERE sync_run_id = $1
     ORDER BY stream, partition`,
    [syncRunId],
  );
  return rows;
}

export interface PageCommit {
  /** The pages the partition held when this page was read: the commit fails if another attempt moved it. */
  afterPages: number;
  nextPageToken: Buffer | null;
  rows: number;
  rejected: number;
}

/**
 * Moves the partition's checkpoint past one page, in the transaction that wrote the page's rows. Returns
 * false when another attempt of the same partition committed this page first (a timed-out attempt that is
 * still running): the caller must roll back, so no page is ever written twice.
 */
export async function commitPage(
  client: pg.PoolClient,
  schema: string,
  key: PartitionKey,
  page: PageCommit,
): Promise<boolean> {
  const result = await client.query(
    `UPDATE ${qualified(schema, 'sync_partition')}
     SET page_token = $5, pages = pages + 1, rows = rows + $6, rejected = rejected + $7, done = $5::bytea IS NULL,
         updated_at = now()
     WHERE sync_run_id = $1 AND stream = $2 AND partition = $3 AND pages = $4 AND NOT done`,
    [key.syncRunId, key.stream, key.partition, page.afterPages, page.nextPageToken, page.rows, page.rejected],
  );
  return result.rowCount === 1;
}

/** Notes that a retried attempt picked the partition up again at this page. */
export async function recordResume(db: pg.Pool, schema: string, key: PartitionKey, page: number): Promise<void> {
  await db.query(
    `UPDATE ${qualified(schema, 'sync_partition')} SET resumed_at_pages = array_append(resumed_at_pages, $4)
     WHERE sync_run_id = $1 AND stream = $2 AND partition = $3 AND NOT ($4 = ANY(resumed_at_pages))`,
    [key.syncRunId, key.stream, key.partition, page],
  );
}
