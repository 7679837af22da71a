import type { Client } from '@temporalio/client';
import { mapWithConcurrency } from '../../src/source/concurrency';
import { timed } from './stats';

/** The worker's default describe concurrency (SyncDependencies.describeConcurrency). */
const DESCRIBE_CONCURRENCY = 8;

/** How long describing every schedule takes: the part of each sync that does not depend on N. */
export async function measureDescribes(
  client: Client,
): Promise<{ ms: number; schedules: number; concurrency: number; failed: number }> {
  const listed = await client.workflowService.listSchedules({
    namespace: client.options.namespace,
    maximumPageSize: 1000,
  });
  const ids = listed.schedules.map((schedule) => schedule.scheduleId ?? '').filter((id) => id !== '');
  let failed = 0;
  const { ms } = await timed(() =>
    mapWithConcurrency(ids, DESCRIBE_CONCURRENCY, (id) =>
      // A describe the server could not answer in time is counted, not fatal: the sync retries those.
      client.schedule
        .getHandle(id)
        .describe()
        .catch(() => (failed += 1)),
    ),
  );
  return { ms, schedules: ids.length, concurrency: DESCRIBE_CONCURRENCY, failed };
}
