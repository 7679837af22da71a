import { Client, Connection } from '@temporalio/client';
import { applySchedules } from '../../src/schedules/apply';
import { loadScheduleDefinitions } from '../../src/schedules/load';
import { schedulesForNamespaces } from '../../src/schedules/namespaces';
import { DEV_NAMESPACE, DEV_NAMESPACES, DEV_TASK_QUEUE } from './first-sync';

/**
 * Applies the schedule definitions (the built-in ones, or TEMPORAL_SYNC_SCHEDULES_FILE /
 * TEMPORAL_SYNC_SCHEDULES when set) for every dev namespace, exactly as `npm run schedules -- apply`
 * would with the dev namespaces definition; returns one line per change, none when they were already in place.
 */
export async function applyDevSchedules(address: string): Promise<string[]> {
  const defined = loadScheduleDefinitions({
    taskQueue: DEV_TASK_QUEUE,
    file: process.env.TEMPORAL_SYNC_SCHEDULES_FILE,
    inline: process.env.TEMPORAL_SYNC_SCHEDULES,
    timezone: process.env.TEMPORAL_SYNC_SCHEDULE_TIMEZONE,
  });
  // Each dev namespace its own sync schedules, as with the dev worker's namespaces definition.
  const definitions = schedulesForNamespaces(
    defined,
    DEV_NAMESPACES.map((namespace) => ({ namespace, overrides: {} })),
  );
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: DEV_NAMESPACE });
    const changes = await applySchedules({ client, definitions });
    return changes.map((change) => `${change.kind}d schedule ${change.scheduleId}`);
  } finally {
    await connection.close();
  }
}
