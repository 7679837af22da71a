import type pg from 'pg';
import { qualified } from './identifiers';
import { markUnseenDeleted } from './rows';
import { advanceCursor } from './sync-state';
import { inTransaction } from './transaction';

export interface PassState {
  stream: string;
  full: boolean;
  query: string;
  deleted: number;
  completed: boolean;
}

export async function insertPass(
  client: pg.PoolClient,
  schema: string,
  pass: { syncRunId: string; stream: string; full: boolean; query: string; since?: Date | null },
): Promise<void> {
  await client.query(
    `INSERT INTO ${qualified(schema, 'sync_pass')} (sync_run_id, stream, full_pass, query, since)
     VALUES ($1, $2, $3, $4, $5)`,
    [pass.syncRunId, pass.stream, pass.full, pass.query, pass.since ?? null],
  );
}

export async function loadPasses(db: pg.Pool | pg.PoolClient, schema: string, syncRunId: string): Promise<PassState[]> {
  const { rows } = await db.query<PassState>(
    `SELECT stream, full_pass AS full, query, deleted::float8 AS deleted, completed_at IS NOT NULL AS completed
     FROM ${qualified(schema, 'sync_pass')} WHERE sync_run_id = $1 ORDER BY stream`,
    [syncRunId],
  );
  return rows;
}

/** The pass just completed, as a stream's afterPass sees it. */
export interface CompletedPass {
  namespace: string;
  full: boolean;
  /** The plan's since (StreamPlan.since), null when it had none. */
  since: Date | null;
}

/** A stream's own work after its pass, in the pass's transaction; a warning when it did less than asked. */
export type AfterPass = (client: pg.PoolClient, schema: string, pass: CompletedPass) => Promise<string | undefined>;

export interface CompletePass {
  syncRunId: string;
  namespace: string;
  stream: string;
  /** The stream's table, where a full pass marks what it did not see. */
  table: string;
  /** The run's start (the database's clock): the cursor moves there. */
  startedAt: Date;
  /** The stream's own work after its pass (its afterPass), in the same transaction. */
  afterPass?: AfterPass | undefined;
}

/**
 * Completes a pass once every partition is done, in one transaction: the cursor moves to the run's start
 * (never backwards), a full pass marks every row it did not see as deleted, the stream does its own
 * work after a pass (the workflows stream refreshes the analytics rollup), and the pass is closed.
 * A retried call finds the pass closed and answers what it did the first time.
 */
export async function completePass(
  db: pg.Pool,
  schema: string,
  pass: CompletePass,
): Promise<{ deleted: number; full: boolean; warning?: string | undefined }> {
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<{
      full: boolean;
      deleted: number;
      completed: boolean;
      open: number;
      since: Date | null;
    }>(
      `SELECT full_pass AS full, deleted::float8 AS deleted, completed_at IS NOT NULL AS completed, since,
         (SELECT count(*)::int FROM ${qualified(schema, 'sync_partition')}
          WHERE sync_run_id = $1 AND stream = $2 AND NOT done) AS open
       FROM ${qualified(schema, 'sync_pass')} WHERE sync_run_id = $1 AND stream = $2 FOR UPDATE`,
      [pass.syncRunId, pass.stream],
    );
    const found = rows[0];
    if (!found) throw new Error(`run ${pass.syncRunId} has no ${pass.stream} pass`);
    if (found.completed) return { deleted: found.deleted, full: found.full };
    if (found.open > 0)
      throw new Error(`the ${pass.stream} pass of run ${pass.syncRunId} has ${found.open} partition(s) open`);
    const deleted = found.full ? await markUnseenDeleted(client, schema, pass.table, pass) : 0;
    const warning = await pass.afterPass?.(client, schema, {
      namespace: pass.namespace,
      full: found.full,
      since: found.since,
    });
    await advanceCursor(client, schema, {
      namespace: pass.namespace,
      stream: pass.stream,
      full: found.full,
      to: pass.startedAt,
    });
    await client.query(
      `UPDATE ${qualified(schema, 'sync_pass')} SET deleted = $3, completed_at = now() WHERE sync_run_id = $1 AND stream = $2`,
      [pass.syncRunId, pass.stream, deleted],
    );
    return { deleted, full: found.full, warning };
  });
}
