import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { lenientDecodingCodec } from '../source/lenient-codec';
import type { RunningRecord } from '../db/sync-runs';
import type { EndedRun, ManagedSchedule, SchedulesStatus } from './types';

/** The memo key the schedules setup command puts on the schedules it manages. */
export const MANAGED_MEMO_KEY = 'temporal-sync-managed';

/** The running records whose workflow run has closed on the server (terminated, timed out, ...). */
async function endedOutsideTheirCode(client: Client, running: readonly RunningRecord[]): Promise<EndedRun[]> {
  const ended: EndedRun[] = [];
  for (const record of running) {
    const description = await client.workflow
      .getHandle(record.workflowId, record.currentRunId ?? undefined)
      .describe()
      .catch(() => undefined);
    const status = description?.status.name ?? 'NOT_FOUND';
    if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') continue;
    ended.push({
      syncRunId: record.id,
      namespace: record.namespace,
      workflowId: record.workflowId,
      serverStatus: status,
    });
  }
  return ended;
}

/**
 * The managed schedules in the worker's namespace, and the runs whose records say running while
 * the server has them closed; or why Temporal could not be asked. Bounded: a
 * monitoring check must answer even when Temporal does not.
 */
export async function readManagedSchedules(
  connectionOptions: ConnectionOptions,
  namespace: string,
  redact: (text: string) => string,
  running: readonly RunningRecord[] = [],
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
    const endedRuns = await connection.withDeadline(Date.now() + timeoutMs, () =>
      endedOutsideTheirCode(client, running),
    );
    return { reachable: true, namespace, schedules, endedRuns };
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
