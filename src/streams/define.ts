import type pg from 'pg';
import type { DataIncidents } from '../alerts/data-incidents';
import { createRowWriter, type BulkLoad, type RowWriter } from '../db/rows';
import type { AfterPass } from '../db/sync-passes';
import type { PageContext, PlanContext, Rejected, StreamPlan, SyncStream } from './contract';

/** A page read and mapped, ready to be written in the transaction that commits its checkpoint. */
export interface ReadPage {
  nextPageToken: Uint8Array | null;
  rejected: Rejected[];
  /** Writes the page's rows; returns how many it wrote. */
  write(client: pg.PoolClient, syncRunId: string): Promise<number>;
}

/** A stream as the generic runner sees it: whatever its item and row types, it reads pages and writes them. */
export interface RegisteredStream {
  readonly name: string;
  /** The table its rows live in (deletion marking, status counts). */
  readonly table: string;
  readonly incrementalOnly: boolean;
  readonly dataIncidents?: DataIncidents;
  readonly afterPass?: AfterPass;
  plan(context: PlanContext): StreamPlan;
  readPage(context: PageContext, query: string, pageSize: number, token: Uint8Array | null): Promise<ReadPage>;
}

/** Makes a stream runnable: fetch, map (pure) and write, with the table's writer as the default write. */
export function defineStream<Item, Row>(stream: SyncStream<Item, Row>): RegisteredStream {
  const writers = new Map<string, RowWriter<Row>>();
  const writerFor = (schema: string, load: BulkLoad) => {
    let writer = writers.get(`${load}:${schema}`);
    if (!writer) writers.set(`${load}:${schema}`, (writer = createRowWriter(schema, stream.table, load)));
    return writer;
  };
  return {
    name: stream.name,
    table: stream.table.table,
    incrementalOnly: stream.incrementalOnly ?? false,
    dataIncidents: stream.dataIncidents,
    afterPass: stream.afterPass,
    plan: (context) => stream.plan(context),
    async readPage(context, query, pageSize, token) {
      const readAt = new Date();
      const fetched = await stream.fetchPage(context, query, pageSize, token);
      const page = stream.mapPage(context.namespace, fetched.items, readAt);
      return {
        nextPageToken: fetched.nextPageToken,
        rejected: page.rejected,
        write: (client, syncRunId) => {
          const writeContext = {
            namespace: context.namespace,
            syncRunId,
            schema: context.schema,
            writer: writerFor(context.schema, context.bulkLoad),
          };
          return stream.writePage
            ? stream.writePage(client, page, writeContext)
            : writeContext.writer.write(client, page.rows, syncRunId);
        },
      };
    },
  };
}
