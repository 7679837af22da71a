import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { copyText } from '../../src/db/rows';
import { workflowTable } from '../../src/db/workflow-rows';
import { lenientDecodingCodec } from '../../src/source/lenient-codec';
import { LosslessInteger } from '../../src/json';
import { executionToRow, type WorkflowRow } from '../../src/source/executions';
import { referenceCopyText } from './reference-copy-text';
import { PAGE_SIZE } from './source';

const Response = temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;

/** Worker-side cost of one row, in µs of one core, by step. */
export interface RowCost {
  /** Receiving a page through @temporalio/client (gRPC, HTTP/2, protobuf decode), per row. */
  clientUs: number;
  /** protobufjs decode alone of the same pages, per row (part of clientUs). */
  decodeUs: number;
  /** executionToRow. */
  mapUs: number;
  /** The page writer's COPY text (src/db/rows.ts copyText). */
  copyTextUs: number;
  /** The same text built the way the writer built it before (storableJson per jsonb value). */
  referenceCopyTextUs: number;
}

export interface Sample {
  rows: WorkflowRow[];
  cost: RowCost;
  listMs: number;
}

const perRowUs = (ms: number, rows: number) => Math.round((ms * 1000 * 100) / Math.max(1, rows)) / 100;
const hrMs = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

/** The same work `repeats` times; the fastest counts (the machine is shared: the others measure its noise). */
function fastest(repeats: number, work: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i += 1) {
    const started = process.hrtime.bigint();
    work();
    best = Math.min(best, hrMs(started));
  }
  return best;
}

/**
 * The first `limit` executions of `namespace`, listed through @temporalio/client as the worker lists
 * them and mapped with executionToRow, with what each step costs per row. The caller lifts the
 * source's latency and rate limit first, so this measures our client, not the budget.
 */
export async function listSample(address: string, namespace: string, limit: number): Promise<Sample> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace, dataConverter: { payloadCodecs: [lenientDecodingCodec] } });
    const rows: WorkflowRow[] = [];
    const encoded: Uint8Array[] = [];
    let mapMs = 0;
    let nextPageToken: Uint8Array | undefined;
    const began = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    do {
      const page = await client.workflowService.listWorkflowExecutions({
        namespace,
        pageSize: PAGE_SIZE,
        nextPageToken,
      });
      const mapping = process.hrtime.bigint();
      const readAt = new Date();
      for (const execution of page.executions) rows.push(executionToRow(namespace, execution, readAt));
      mapMs += hrMs(mapping);
      if (encoded.length < 20) encoded.push(Response.encode(page).finish());
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken && rows.length < limit);
    const listMs = hrMs(began);
    const used = process.cpuUsage(cpu);
    const clientMs = (used.user + used.system) / 1000 - mapMs;
    rows.length = Math.min(rows.length, limit);
    const decodedRows = encoded.length * PAGE_SIZE;
    const decodeMs = fastest(3, () => encoded.forEach((bytes) => Response.decode(bytes)));
    const pages = Array.from({ length: Math.ceil(rows.length / PAGE_SIZE) }, (_, i) =>
      rows.slice(i * PAGE_SIZE, (i + 1) * PAGE_SIZE),
    );
    const copyMs = fastest(3, () => pages.forEach((page) => copyText(workflowTable, page)));
    const referenceMs = fastest(3, () => pages.forEach((page) => referenceCopyText(workflowTable, page)));
    return {
      rows,
      listMs,
      cost: {
        clientUs: perRowUs(clientMs, rows.length),
        decodeUs: perRowUs(decodeMs, decodedRows),
        mapUs: perRowUs(mapMs, rows.length),
        copyTextUs: perRowUs(copyMs, rows.length),
        referenceCopyTextUs: perRowUs(referenceMs, rows.length),
      },
    };
  } finally {
    await connection.close();
  }
}

/** True when the writer's COPY text equals the reference's for every row (the speed-up changed no byte). */
export function copyTextMatchesReference(rows: readonly WorkflowRow[]): boolean {
  for (let start = 0; start < rows.length; start += PAGE_SIZE) {
    const page = rows.slice(start, start + PAGE_SIZE);
    if (copyText(workflowTable, page) !== referenceCopyText(workflowTable, page)) return false;
  }
  return true;
}

/**
 * Values that leave the writer's fast JSON path (NUL in values and keys, a backslash before u0000,
 * integers past 2^53, bigint, bytes, Dates, objects with their own toJSON, deep nesting) and the
 * COPY-reserved characters: the text must equal the reference's for each, in a real row.
 */
export function oddValuesMatchReference(row: WorkflowRow): string[] {
  const deep = JSON.parse(`${'['.repeat(60)}1${']'.repeat(60)}`) as unknown;
  const odd: unknown[] = [
    { a: 'x\u0000y' },
    { 'k\u0000': 1 },
    { s: 'back\\u0000slash', t: 'tab\there\nnl\rcr \\ "q"' },
    { big: new LosslessInteger('123456789012345678901'), n: [new LosslessInteger('-9007199254740993')] },
    { b: 1n },
    { bytes: new Uint8Array([1, 2, 3]), buffer: Buffer.from('hi') },
    { d: new Date(0), invalid: new Date(Number.NaN) },
    { n: Number.NaN, i: Number.POSITIVE_INFINITY, m: -0 },
    { u: undefined, f: () => 1, list: [undefined, () => 1] },
    Object.assign(Object.create(null) as object, { bare: true }),
    { own: { toJSON: () => 'x\u0000' } },
    { deep },
    { text: '\u2028\u2029\ud800 é 😀' },
    'a string',
    5,
    true,
  ];
  const differing: string[] = [];
  for (const value of odd) {
    const changed = {
      ...row,
      memo: value,
      search_attributes: value,
      workflow_type: 'a\tb\\c\u0000',
    } as unknown as WorkflowRow;
    if (copyText(workflowTable, [changed]) !== referenceCopyText(workflowTable, [changed]))
      differing.push(
        String(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).slice(0, 80),
      );
  }
  return differing;
}
