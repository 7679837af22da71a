import type { Client } from '@temporalio/client';
import { grpcCode, GrpcStatus } from './grpc';

/**
 * One describe call (of a schedule, of a workflow run), raw; undefined when the thing no longer exists.
 * Now and then a describe hangs on the server until its own deadline, longer than an activity's
 * heartbeat timeout, which would stall the whole sync (seen in the bench: 30 s stalls): each call gets
 * a deadline of its own instead, and one that runs into it is tried again.
 */
export async function describeWithDeadline<T>(
  source: Client,
  describe: () => Promise<T>,
  { timeoutMs = 5000, attempts = 3 } = {},
): Promise<T | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await source.withDeadline(Date.now() + timeoutMs, describe);
    } catch (error) {
      const code = grpcCode(error);
      // Gone between listing and describing: the next full pass of its stream marks it deleted.
      if (code === GrpcStatus.NOT_FOUND) return undefined;
      if (attempt >= attempts || code !== GrpcStatus.DEADLINE_EXCEEDED) throw error;
    }
  }
}
