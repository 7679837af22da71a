import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { lenientDecodingCodec } from '../source/lenient-codec';
import type { ManagedSchedule, SchedulesStatus } from './types';

/** The memo key the schedules setup command puts on the schedules it manages. */
export const MANAGED_MEMO_KEY = 'temporal-sync-managed';

/**
 * The managed schedules in the worker's namespace, or why they could not be read. Bounded: a
 * monitoring check must answer even when Temporal does not.
 */
export async function readManagedSchedules(
  connectionOptions: ConnectionOptions,
  namespace: string,
  redact: (text: string) => string,
  timeoutMs = 5000,
): Promise<SchedulesStatus> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ ...connectionOptions, connectTimeout: timeoutMs });
    const client = new Client({ connection, namespace, dataConverter: { payloadCodecs: [lenientDecodingCodec] } });
    const schedules = await connection.withDeadline(Date.now() + timeoutMs, async () => {
      const found: ManagedSchedule[] = [];
      for await (const summary of client.schedule.list()) {
        if (summary.memo?.[MANAGED_MEMO_KEY] !== true) continue;
        found.push({
          scheduleId: summary.scheduleId,
          workflowType: summary.action?.workflowType ?? null,
          paused: summary.state.paused,
          note: summary.state.note || null,
          nextActionAt: summary.info.nextActionTimes[0]?.toISOString() ?? null,
        });
      }
      return found.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
    });
    return { reachable: true, namespace, schedules };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      reachable: false,
      namespace,
      error: redact(`${connectionOptions.address ?? 'localhost:7233'}: ${reason}`),
    };
  } finally {
    await connection?.close().catch(() => undefined);
  }
}
