import { CancelledFailure, Context } from '@temporalio/activity';
import type { PageCheckpoint, StreamChunkRequest, StreamChunkResult } from './types';

export interface FetchedPage<Item> {
  items: Item[];
  /** Empty or null means this was the last page. */
  nextPageToken: Uint8Array | null | undefined;
}

export interface PagedStream<Item> {
  fetchPage(token: Uint8Array | null): Promise<FetchedPage<Item>>;
  /**
   * Writes one page in one statement or transaction; returns the rows written. `requestedAt` is when
   * the page was asked for: the source's view is at least that new.
   */
  writePage(items: Item[], requestedAt: Date): Promise<number>;
}

const toBase64 = (token: Uint8Array | null | undefined): string | null =>
  token && token.length > 0 ? Buffer.from(token).toString('base64') : null;
const fromBase64 = (token: string | null): Uint8Array | null => (token === null ? null : Buffer.from(token, 'base64'));

function checkpointFrom(details: unknown): PageCheckpoint | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const candidate = details as Partial<PageCheckpoint>;
  if (typeof candidate.pages !== 'number' || typeof candidate.rows !== 'number') return undefined;
  if (candidate.nextPageToken !== null && typeof candidate.nextPageToken !== 'string') return undefined;
  return { nextPageToken: candidate.nextPageToken, pages: candidate.pages, rows: candidate.rows };
}

export interface PageLoopOptions {
  /** When aborted (the worker is shutting down), the loop returns after the page being written. */
  draining?: AbortSignal | undefined;
}

/**
 * Pages through a stream for about `maxSeconds`: the next page is fetched while the current one is
 * written; after each written page a heartbeat records the token of the next, so a retried attempt
 * resumes there instead of at the start. Cancellation, delivered by the heartbeat, stops it between pages;
 * so does the worker's shutdown, but as a success that hands back the next token: the workflow then
 * schedules the rest, which another worker picks up at once, with no retry and no heartbeat timeout.
 */
export async function runCheckpointedPages<Item>(
  request: StreamChunkRequest,
  stream: PagedStream<Item>,
  options: PageLoopOptions = {},
): Promise<StreamChunkResult> {
  const context = Context.current();
  const resumed = checkpointFrom(context.info.heartbeatDetails);
  let token = resumed ? resumed.nextPageToken : request.pageToken;
  let pages = resumed?.pages ?? 0;
  let rows = resumed?.rows ?? 0;
  const resumedAtPage = resumed ? resumed.pages + 1 : null;
  if (resumed) {
    context.log.info('resuming from heartbeat checkpoint', {
      resumedAtPage,
      rowsSoFar: rows,
      attempt: context.info.attempt,
    });
  }
  if (resumed && token === null) return { nextPageToken: null, pages, rows, resumedAtPage };

  const deadline = Date.now() + request.maxSeconds * 1000;
  const fetchPage = (pageToken: string | null) => {
    const requestedAt = new Date();
    return stream.fetchPage(fromBase64(pageToken)).then((page) => ({ ...page, requestedAt }));
  };
  let pending = fetchPage(token);
  for (;;) {
    const page = await pending;
    const nextToken = toBase64(page.nextPageToken);
    const more = nextToken !== null && Date.now() < deadline && !options.draining?.aborted;
    if (more) pending = fetchPage(nextToken);
    // A prefetch that is abandoned (cancellation, failure) must not surface as an unhandled rejection.
    pending.catch(() => {});
    rows += await stream.writePage(page.items, page.requestedAt);
    pages += 1;
    token = nextToken;
    const checkpoint: PageCheckpoint = { nextPageToken: token, pages, rows };
    context.heartbeat(checkpoint);
    if (context.cancellationSignal.aborted) {
      // A requested cancellation hands back what was written, so the run records exact counts.
      if (context.cancellationDetails?.cancelRequested) {
        throw new CancelledFailure('sync cancelled at a page boundary', [checkpoint]);
      }
      await context.cancelled;
    }
    if (!more || options.draining?.aborted) {
      if (token !== null && options.draining?.aborted) {
        context.log.info('worker shutting down: chunk stopped at a page boundary, the rest handed back', {
          pagesWritten: pages,
          rowsWritten: rows,
        });
      }
      return { nextPageToken: token, pages, rows, resumedAtPage };
    }
  }
}
