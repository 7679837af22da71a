import type pg from 'pg';
import { qualified, quoteIdent } from '../../src/db/identifiers';
import { createRowWriter, type TableSpec } from '../../src/db/rows';
import { inTransaction } from '../../src/db/transaction';
import { workflowTable, type WorkflowRow } from '../../src/db/workflow-rows';
import { measurePageWrites } from './baseline';
import { watchPostgres } from './pg-cpu';
import { encodeForCopy, measureCopy } from './sink';
import { PAGE_SIZE } from './source';
import { median, round2 } from './stats';

/** Where one page write spends its time, in µs per row (wall time of the bench's side of each statement). */
export interface WriteAnatomy {
  totalUs: number;
  /** pool.connect(): waiting for a client. */
  poolUs: number;
  beginUs: number;
  /** The query that looks up a few of the page's keys (and reads now()): which way the page is written. */
  probeUs: number;
  /** SAVEPOINT and RELEASE around a direct COPY, CREATE of the staging table (once per connection). */
  savepointUs: number;
  /** COPY (into the table for new rows, else into staging): encoding the text, sending it, Postgres parsing and storing it (overlapped). */
  copyUs: number;
  /** The guarded INSERT … ON CONFLICT merge from staging. */
  mergeUs: number;
  /** COMMIT: the WAL flush of the page (and the staging table emptied). */
  commitUs: number;
  /** Postgres backend CPU per row during the write. */
  postgresCpuUs: number;
}

export interface WriterFigures {
  rows: number;
  copy: { rowsPerSecond: number[]; median: number };
  writer: { rowsPerSecond: number[]; median: number };
  /** Page writer over the rows it just wrote (every row conflicts: the stale guard and the update run). */
  writerOverLoaded: { rowsPerSecond: number[]; median: number };
  /** The same over loaded rows with staleWhen 'false' (the guard folded away): what the per-column guards cost. */
  writerOverLoadedNoGuard: { rowsPerSecond: number[]; median: number };
  ratio: number;
  ratioRuns: number[];
  anatomyEmpty: WriteAnatomy;
  anatomyLoaded: WriteAnatomy;
  /** Rows of the writer's table that differ from the COPY's (both ways): the writer stored what COPY stores. */
  differingRows: number;
}

type Times = Record<'pool' | 'begin' | 'probe' | 'savepoint' | 'stage' | 'copy' | 'merge' | 'commit', number>;

const STATEMENT_KINDS: Record<string, keyof Times> = {
  BEGIN: 'begin',
  SELECT: 'probe',
  SAVEPOINT: 'savepoint',
  RELEASE: 'savepoint',
  ROLLBACK: 'savepoint',
  CREATE: 'stage',
  COPY: 'copy',
  INSERT: 'merge',
  COMMIT: 'commit',
};

/** A client whose statements are timed by kind (their first word); COPY is timed to its stream's finish. */
function timedClient(client: pg.PoolClient, times: Times): pg.PoolClient {
  return new Proxy(client, {
    get(target, property) {
      if (property !== 'query') return Reflect.get(target, property) as unknown;
      return (query: unknown, ...args: unknown[]) => {
        const text = typeof query === 'string' ? query : ((query as { text?: string }).text ?? 'COPY');
        const kind = STATEMENT_KINDS[text.trimStart().split(/\s/, 1)[0]!.toUpperCase()] ?? 'merge';
        const started = performance.now();
        const add = () => (times[kind] += performance.now() - started);
        const result = (target.query as (...a: unknown[]) => unknown)(query, ...args);
        if (result instanceof Promise) return result.finally(add);
        (result as NodeJS.EventEmitter).once('finish', add);
        return result;
      };
    },
  });
}

async function anatomy(pool: pg.Pool, schema: string, rows: readonly WorkflowRow[]): Promise<WriteAnatomy> {
  const writer = createRowWriter(schema, workflowTable);
  const times: Times = { pool: 0, begin: 0, probe: 0, savepoint: 0, stage: 0, copy: 0, merge: 0, commit: 0 };
  const postgres = watchPostgres(pool, () => [process.pid]);
  const started = performance.now();
  for (let start = 0; start < rows.length; start += PAGE_SIZE) {
    const connecting = performance.now();
    const held = await pool.connect();
    times.pool += performance.now() - connecting;
    const client = timedClient(held, times);
    try {
      await client.query('BEGIN');
      await writer.write(client, rows.slice(start, start + PAGE_SIZE), '0');
      await client.query('COMMIT');
    } finally {
      held.release();
    }
  }
  const total = performance.now() - started;
  const cpu = await postgres.stop();
  const us = (ms: number) => round2((ms * 1000) / rows.length);
  return {
    totalUs: us(total),
    poolUs: us(times.pool),
    beginUs: us(times.begin),
    probeUs: us(times.probe),
    savepointUs: us(times.savepoint + times.stage),
    copyUs: us(times.copy),
    mergeUs: us(times.merge),
    commitUs: us(times.commit),
    postgresCpuUs: us(cpu.backendsMs),
  };
}

async function writeOver(pool: pg.Pool, schema: string, spec: TableSpec<WorkflowRow>, rows: readonly WorkflowRow[]) {
  const writer = createRowWriter(schema, spec);
  const started = performance.now();
  for (let start = 0; start < rows.length; start += PAGE_SIZE)
    await inTransaction(pool, (client) => writer.write(client, rows.slice(start, start + PAGE_SIZE), '0'));
  return Math.round((rows.length / (performance.now() - started)) * 1000);
}

async function differingRows(pool: pg.Pool, copied: string, written: string): Promise<number> {
  const columns = workflowTable.columns.map(([name]) => quoteIdent(name)).join(', ');
  const a = `SELECT ${columns} FROM ${qualified(copied, 'workflow')}`;
  const b = `SELECT ${columns} FROM ${qualified(written, 'workflow')}`;
  const { rows } = await pool.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM (${a} EXCEPT ALL ${b}) x) + (SELECT count(*) FROM (${b} EXCEPT ALL ${a}) y) AS n`,
  );
  return Number(rows[0]!.n);
}

/**
 * The COPY ceiling and the page writer on the same rows, interleaved `repeats` times (the machine is
 * shared: like is compared with like), each into an empty workflow table of its own schema; then the
 * writer over its loaded table, with and without the stale guard, and where a page write spends its time.
 */
export async function measureWriter(
  pool: pg.Pool,
  schemas: { copy: string; writer: string },
  rows: readonly WorkflowRow[],
  repeats: number,
  progress: (line: string) => void,
): Promise<WriterFigures> {
  const chunks = encodeForCopy(rows);
  const copy: number[] = [];
  const writer: number[] = [];
  const loaded: number[] = [];
  const noGuard: number[] = [];
  const ratios: number[] = [];
  let differing = -1;
  // Each write starts from a checkpoint: the WAL and dirty pages of the one before are not on its clock.
  const checkpoint = () => pool.query('CHECKPOINT');
  for (let i = 0; i < repeats; i += 1) {
    await checkpoint();
    const copied = await measureCopy(pool, schemas.copy, chunks);
    await checkpoint();
    const written = await measurePageWrites(pool, schemas.writer, rows);
    if (i === repeats - 1) differing = await differingRows(pool, schemas.copy, schemas.writer);
    copy.push(Math.round((copied.rows / copied.ms) * 1000));
    writer.push(Math.round((written.rows / written.ms) * 1000));
    ratios.push(round2(copied.ms / written.ms));
    await checkpoint();
    loaded.push(await writeOver(pool, schemas.writer, workflowTable, rows));
    await checkpoint();
    noGuard.push(await writeOver(pool, schemas.writer, { ...workflowTable, staleWhen: 'false' }, rows));
    progress(
      `  repeat ${i + 1}/${repeats}: COPY ${copy.at(-1)} rows/s, page writer ${writer.at(-1)} rows/s (ratio ${ratios.at(-1)}); ` +
        `over loaded ${loaded.at(-1)}, without the guard ${noGuard.at(-1)}`,
    );
  }
  await pool.query(`TRUNCATE ${qualified(schemas.writer, 'workflow')}`);
  await checkpoint();
  const anatomyEmpty = await anatomy(pool, schemas.writer, rows);
  await checkpoint();
  const anatomyLoaded = await anatomy(pool, schemas.writer, rows);
  const summary = (values: number[]) => ({ rowsPerSecond: values, median: median(values) });
  return {
    rows: rows.length,
    copy: summary(copy),
    writer: summary(writer),
    writerOverLoaded: summary(loaded),
    writerOverLoadedNoGuard: summary(noGuard),
    ratio: median(ratios),
    ratioRuns: ratios,
    anatomyEmpty,
    anatomyLoaded,
    differingRows: differing,
  };
}
