import type { Client } from '@temporalio/client';
import type { RawExecutionInfo } from '../../src/source/executions';
import { timed } from './stats';

export const PAGE_SIZE = 1000;

export interface ListingResult {
  rows: number;
  /** Distinct (workflow ID, run ID) pairs: a listing that repeats or skips a run shows here. */
  distinct: number;
  pages: number;
}

/** Lists every execution matching `query` with the raw visibility API, writing nothing. */
export async function listAll(
  client: Client,
  query = '',
  onPage?: (executions: RawExecutionInfo[]) => void,
): Promise<{ rows: number; pages: number; keys: string[] }> {
  const keys: string[] = [];
  let pages = 0;
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize: PAGE_SIZE,
      nextPageToken,
      query,
    });
    pages += 1;
    for (const execution of page.executions)
      keys.push(`${execution.execution?.workflowId}\u0001${execution.execution?.runId}`);
    onPage?.(page.executions);
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return { rows: keys.length, pages, keys };
}

export async function measureListing(client: Client): Promise<{ ms: number; cpuMs: number; result: ListingResult }> {
  const cpu = process.cpuUsage();
  const { ms, value } = await timed(() => listAll(client));
  const used = process.cpuUsage(cpu);
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    result: { rows: value.rows, distinct: new Set(value.keys).size, pages: value.pages },
  };
}

/** Visibility queries for `parts` disjoint StartTime ranges that together cover every execution. */
export function startTimeRanges(first: Date, last: Date, parts: number): string[] {
  const span = last.getTime() - first.getTime() + 1;
  const bounds = Array.from(
    { length: parts - 1 },
    (_, i) => new Date(first.getTime() + Math.ceil((span * (i + 1)) / parts)),
  );
  return Array.from({ length: parts }, (_, i) => {
    const conditions: string[] = [];
    if (i > 0) conditions.push(`StartTime >= '${bounds[i - 1]!.toISOString()}'`);
    if (i < parts - 1) conditions.push(`StartTime < '${bounds[i]!.toISOString()}'`);
    return conditions.join(' AND ');
  });
}

/** Lists disjoint StartTime ranges at the same time: does a second listing stream raise the ceiling? */
export async function measureSplitListing(
  client: Client,
  ranges: string[],
): Promise<{ ms: number; result: ListingResult }> {
  const { ms, value } = await timed(() => Promise.all(ranges.map((query) => listAll(client, query))));
  const keys = value.flatMap((part) => part.keys);
  return {
    ms,
    result: {
      rows: keys.length,
      distinct: new Set(keys).size,
      pages: value.reduce((sum, part) => sum + part.pages, 0),
    },
  };
}

/** The first and last start time in the namespace, from one listing. */
export async function startTimeSpan(client: Client): Promise<{ first: Date; last: Date }> {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  await listAll(client, '', (executions) => {
    for (const execution of executions) {
      const seconds = Number(execution.startTime?.seconds ?? 0);
      const millis = seconds * 1000 + Math.floor((execution.startTime?.nanos ?? 0) / 1e6);
      first = Math.min(first, millis);
      last = Math.max(last, millis);
    }
  });
  return { first: new Date(first), last: new Date(last) };
}
