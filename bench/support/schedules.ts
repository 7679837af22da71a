import type { Client } from '@temporalio/client';
import { mapWithConcurrency } from '../../src/activities/concurrency';
import { timed } from './stats';

/** The worker's default describe concurrency (SyncDependencies.describeConcurrency). */
const DESCRIBE_CONCURRENCY = 8;

/** How long describing every schedule takes: the part of each sync that does not depend on N. */
export async function measureDescribes(client: Client): Promise<{ ms: number; schedules: number; concurrency: number }> {
  const listed = await client.workflowService.listSchedules({ namespace: client.options.namespace, maximumPageSize: 1000 });
  const ids = listed.schedules.map((schedule) => schedule.scheduleId ?? '').filter((id) => id !== '');
  const { ms } = await timed(() =>
    mapWithConcurrency(ids, DESCRIBE_CONCURRENCY, (id) => client.schedule.getHandle(id).describe()),
  );
  return { ms, schedules: ids.length, concurrency: DESCRIBE_CONCURRENCY };
}
