import { ScheduleNotFoundError, ServiceError, type Client, type ScheduleDescription } from '@temporalio/client';

/** gRPC DEADLINE_EXCEEDED. */
const DEADLINE_EXCEEDED = 4;

function isDeadlineExceeded(error: unknown): boolean {
  const cause = error instanceof ServiceError ? error.cause : error;
  return typeof cause === 'object' && cause !== null && 'code' in cause && cause.code === DEADLINE_EXCEEDED;
}

/**
 * Describes a schedule; undefined when it no longer exists. Now and then a describe hangs on the
 * server until its own deadline, longer than the activity's heartbeat timeout, which then stalls the
 * whole sync for that timeout (seen in the bench: 30 s stalls). Each call gets a deadline of its own
 * instead, and one that runs into it is tried again.
 */
export async function describeSchedule(
  source: Client,
  scheduleId: string,
  { timeoutMs = 5000, attempts = 3 } = {},
): Promise<ScheduleDescription | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await source.withDeadline(Date.now() + timeoutMs, () => source.schedule.getHandle(scheduleId).describe());
    } catch (error) {
      // Deleted between listing and describing: the next full pass marks it deleted.
      if (error instanceof ScheduleNotFoundError) return undefined;
      if (attempt >= attempts || !isDeadlineExceeded(error)) throw error;
    }
  }
}
