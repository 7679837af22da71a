import { refreshAfterPass } from '../db/analytics-rollup';
import { workflowTable, type WorkflowRow } from '../db/workflow-rows';
import { mapExecutionPage, type RawExecutionInfo } from '../source/executions';
import { incrementalQuery, incrementalSince } from '../source/visibility-query';
import { defineStream } from './define';
import { listExecutionsPage } from './list-executions';

/**
 * Workflow executions, from the visibility listing. A full pass lists everything; an incremental one
 * every open run and every run closed since the cursor (less a look-back for visibility lag). Either can
 * be split into StartTime ranges: a run's StartTime never changes, so it sits in exactly one of them.
 */
export const workflowsStream = defineStream<RawExecutionInfo, WorkflowRow>({
  name: 'workflows',
  table: workflowTable,
  plan: ({ mode, cursor, lookbackSeconds }) =>
    // With no cursor yet there is nothing to be incremental from: the first pass reads everything.
    mode === 'incremental' && cursor
      ? {
          full: false,
          query: incrementalQuery(cursor, lookbackSeconds),
          partitionable: true,
          since: incrementalSince(cursor, lookbackSeconds),
        }
      : {
          full: true,
          query: '',
          partitionable: true,
          // What the rollup falls back to when recomputing every bucket takes too long.
          since: cursor ? incrementalSince(cursor, lookbackSeconds) : undefined,
        },
  async fetchPage(context, query, pageSize, token) {
    const page = await listExecutionsPage(context, query, pageSize, token);
    // Codecs encode memos, never search attributes.
    await context.decode(page.items.flatMap((execution) => Object.values(execution.memo?.fields ?? {})));
    return page;
  },
  mapPage: mapExecutionPage,
  async afterPass(client, schema, pass) {
    const refresh = await refreshAfterPass(client, schema, pass.namespace, pass);
    return refresh.includes('too long')
      ? `the analytics rollup was not recomputed whole: it took too long (${refresh})`
      : undefined;
  },
});
