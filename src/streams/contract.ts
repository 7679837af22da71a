import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type pg from 'pg';
import type { DataIncidents } from '../alerts/data-incidents';
import type { BulkLoad, RowWriter, TableSpec } from '../db/rows';
import type { AfterPass } from '../db/sync-passes';
import type { VisibilityGate } from '../source/visibility-gate';

type Payload = temporal.api.common.v1.IPayload;

/** What planning knows of a stream in a namespace: the mode asked for and the stream's stored cursor. */
export interface PlanContext {
  mode: 'full' | 'incremental';
  lookbackSeconds: number;
  /** The start of the stream's last complete pass in this namespace, or null if it never completed one. */
  cursor: Date | null;
  /** When the run is planned: a pass that reads by age counts from here. */
  now: Date;
  settings: StreamSettings;
}

export interface StreamPlan {
  /** True when the pass reads everything, and so may mark the rows it did not see as deleted. */
  full: boolean;
  /** The visibility query of the pass; empty reads everything. */
  query: string;
  /** True when the pass can be split into disjoint StartTime ranges (listings of executions). */
  partitionable: boolean;
  /**
   * For a listing of executions with a cursor: the cursor less the look-back, where an incremental pass
   * lists closed runs from. What such a pass changes lies after it, so the analytics rollup is
   * recomputed from here when the pass completes (src/db/sync-passes.ts); a full pass recomputes
   * everything, and falls back to this when that takes too long.
   */
  since?: Date;
}

/** Worker settings a stream may read (from the environment, through the worker's configuration). */
export interface StreamSettings {
  /** An incremental pass describes a schedule with an unchanged list entry once its describe is this old. */
  scheduleRedescribeSeconds: number;
  /** How many describes run at once. */
  describeConcurrency: number;
  /** A run open longer than this is described for why it may be stuck; 0 turns the stuck_workflows stream off. */
  stuckAfterSeconds: number;
  /** A long-open run described less than this long ago is not described again yet. */
  stuckRedescribeSeconds: number;
  /** Describes of long-open runs one pass makes at most (they count against the namespace's general rate, not visibility). */
  stuckDescribesPerPass: number;
}

/** Everything one page read needs: the source, the pass, and read access to the destination. */
export interface PageContext {
  namespace: string;
  /** A client of the source's connection; every request names `namespace`. */
  source: Client;
  /** Every visibility call goes through it (the run's budget, RESOURCE_EXHAUSTED backoff). */
  visibility: VisibilityGate;
  /** The run's mode (a schedule pass is full either way, but describes less when incremental). */
  mode: 'full' | 'incremental';
  pool: pg.Pool;
  schema: string;
  /** How pages reach the staging table of the writer. */
  bulkLoad: BulkLoad;
  /**
   * Decodes encoded payloads (memo, arguments) in place through the namespace's codec server, when it
   * has one; a payload the server cannot decode stays raw (and is counted). Never throws.
   */
  decode(payloads: Payload[]): Promise<void>;
  settings: StreamSettings;
}

export interface FetchedPage<Item> {
  items: Item[];
  /** Null on the last page. */
  nextPageToken: Uint8Array | null;
}

/** An item the mapping could not turn into a row, with what identifies it and why. */
export interface Rejected {
  id: string;
  reason: string;
}

export interface MappedPage<Row> {
  rows: Row[];
  rejected: Rejected[];
  /** Keys the page saw unchanged, which the write records as seen without rewriting them. */
  unchanged?: string[];
}

/** What a page write gets besides its rows: the run that writes, and where. */
export interface WriteContext<Row> {
  namespace: string;
  syncRunId: string;
  schema: string;
  /** The table's COPY-and-merge writer (the default write). */
  writer: RowWriter<Row>;
}

/**
 * A stream: one kind of thing a namespace holds, kept in one table. It says how a pass is planned from
 * its cursor, how one page is read from the source, how a page maps to rows (pure), and, when the
 * table's writer is not enough, how a page is written (in the transaction that commits its checkpoint).
 */
export interface SyncStream<Item, Row> {
  readonly name: string;
  readonly table: TableSpec<Row>;
  /** Its passes never read everything (their plan is never full), so a run's mode leaves it out. */
  readonly incrementalOnly?: boolean;
  plan(context: PlanContext): StreamPlan;
  fetchPage(
    context: PageContext,
    query: string,
    pageSize: number,
    token: Uint8Array | null,
  ): Promise<FetchedPage<Item>>;
  mapPage(namespace: string, items: readonly Item[], readAt: Date): MappedPage<Row>;
  writePage?(client: pg.PoolClient, page: MappedPage<Row>, context: WriteContext<Row>): Promise<number>;
  /** The incidents (alerts naming a subject) its data opens and closes, after a completed run that read it. */
  readonly dataIncidents?: DataIncidents;
  /**
   * What follows a completed pass over its table, in the pass's transaction (the workflows stream
   * refreshes the analytics rollup); returns a line worth a warning when it did less than asked.
   */
  readonly afterPass?: AfterPass;
}
