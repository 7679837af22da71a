import type { Client } from '@temporalio/client';
import { grpcCode, GrpcStatus } from './grpc';
import type { RawScheduleDescription } from './schedules';

/**
 * Describes a schedule, raw (every time to the nanosecond, payloads undecoded); undefined when it no
 * longer exists. Now and then a describe hangs on the server until its own deadline, longer than an
 * activity's heartbeat timeout, which would stall the whole sync (seen in the bench: 30 s stalls): each
 * call gets a deadline of its own instead, and one that runs into it is tried again.
 */
export async function describeScheduleRaw(
  source: Client,
  namespace: string,
  scheduleId: string,
  { timeoutMs = 5000, attempts = 3 } = {},
): Promise<RawScheduleDescription | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await source.withDeadline(Date.now() + timeoutMs, () =>
        source.workflowService.describeSchedule({ namespace, scheduleId }),
      );
    } catch (error) {
      const code = grpcCode(error);
      // Deleted between listing and describing: the next full pass marks it deleted.
      if (code === GrpcStatus.NOT_FOUND) return undefined;
      if (attempt >= attempts || code !== GrpcStatus.DEADLINE_EXCEEDED) throw error;
    }
  }
}
