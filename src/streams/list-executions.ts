import type { RawExecutionInfo } from '../source/executions';
import type { FetchedPage, PageContext } from './contract';

/** One page of ListWorkflowExecutions through the run's visibility budget; an empty next token ends the listing. */
export async function listExecutionsPage(
  context: PageContext,
  query: string,
  pageSize: number,
  token: Uint8Array | null,
): Promise<FetchedPage<RawExecutionInfo>> {
  const response = await context.visibility.call(() =>
    context.source.workflowService.listWorkflowExecutions({
      namespace: context.namespace,
      pageSize,
      nextPageToken: token ?? undefined,
      query,
    }),
  );
  const next = response.nextPageToken;
  return { items: response.executions, nextPageToken: next && next.length > 0 ? next : null };
}
