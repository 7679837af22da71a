import { ApplicationFailure } from '@temporalio/common';

/** Client errors that a retry cannot fix (a revoked or mistyped webhook); 408 and 429 are worth retrying. */
function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * Posts one alert. A short timeout keeps a slow receiver from holding the attempt: the activity's
 * retry policy spaces the attempts. Errors never name the URL (it is a credential).
 */
export async function postWebhook(url: string, body: string, timeoutMs: number): Promise<number> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'temporal-sync' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : `${(error as Error).message}${cause}`;
    throw ApplicationFailure.create({
      type: 'AlertWebhookUnreachable',
      message: `alert webhook unreachable: ${reason}`,
    });
  }
  // Drain the body so the connection is released; its content is not needed (and may echo the request).
  await response.arrayBuffer().catch(() => undefined);
  if (response.ok) return response.status;
  throw ApplicationFailure.create({
    type: 'AlertWebhookRejected',
    message: `alert webhook answered HTTP ${response.status}`,
    nonRetryable: !retryable(response.status),
  });
}
