import { randomInt } from 'node:crypto';
import type pg from 'pg';
import { waitFor } from './wait';

interface StatementTrigger {
  remove(): Promise<void>;
}

/** Runs `body` (PL/pgSQL) before every INSERT statement into the table, once it holds `afterRows` rows. */
async function installTrigger(
  pool: pg.Pool,
  schema: string,
  table: string,
  afterRows: number,
  body: string,
): Promise<StatementTrigger> {
  const name = `test_trigger_${randomInt(1, 2 ** 31 - 1)}`;
  await pool.query(`
    CREATE FUNCTION "${schema}".${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT count(*) FROM "${schema}"."${table}") >= ${afterRows} THEN ${body} END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER ${name} BEFORE INSERT ON "${schema}"."${table}" FOR EACH STATEMENT EXECUTE FUNCTION "${schema}".${name}();`);
  return {
    async remove() {
      await pool.query(
        `DROP TRIGGER IF EXISTS ${name} ON "${schema}"."${table}"; DROP FUNCTION IF EXISTS "${schema}".${name}();`,
      );
    },
  };
}

export interface WriteGate {
  /** Resolves once a writer is blocked at the gate. */
  waitUntilBlocked(): Promise<void>;
  open(): Promise<void>;
  remove(): Promise<void>;
}

/**
 * Holds up upserts into a table once it has `afterRows` rows, on an advisory lock the test holds.
 * It makes "the worker dies in the middle of a pass" happen at a chosen point instead of by a race,
 * without touching the product's code.
 */
export async function closeWriteGate(
  pool: pg.Pool,
  schema: string,
  table: string,
  afterRows: number,
): Promise<WriteGate> {
  const key = randomInt(1, 2 ** 31 - 1);
  const holder = await pool.connect();
  await holder.query('SELECT pg_advisory_lock($1)', [key]);
  const trigger = await installTrigger(pool, schema, table, afterRows, `PERFORM pg_advisory_xact_lock(${key});`);
  let open = false;
  const openGate = async () => {
    if (open) return;
    open = true;
    await holder.query('SELECT pg_advisory_unlock($1)', [key]);
    holder.release();
  };
  return {
    async waitUntilBlocked() {
      await waitFor(
        'a writer blocked at the gate',
        async () => {
          const { rows } = await pool.query<{ waiting: string }>(
            `SELECT count(*) AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1`,
            [key],
          );
          return Number(rows[0]!.waiting) > 0 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 50 },
      );
    },
    open: openGate,
    async remove() {
      await openGate();
      await trigger.remove();
    },
  };
}

/** Makes every upsert into the table take `delayMs` longer once it holds `afterRows` rows. */
export function slowWrites(
  pool: pg.Pool,
  schema: string,
  table: string,
  afterRows: number,
  delayMs: number,
): Promise<StatementTrigger> {
  return installTrigger(pool, schema, table, afterRows, `PERFORM pg_sleep(${delayMs / 1000});`);
}
