import { SHUTDOWN_MARGIN_SECONDS } from './config';

/** How long each connection may take to close once the worker stopped: a hung server must not hold the exit. */
const CLOSE_TIMEOUT_MS = 3_000;

/**
 * The SDK gives running activities the grace time, then cancels them, and gives up waiting for them
 * half the margin later (run() then throws): the other half leaves room to close the connections.
 */
export const forceSecondsFor = (graceSeconds: number) => graceSeconds + SHUTDOWN_MARGIN_SECONDS / 2;

/** Resolves when `close` finished or `ms` passed, whichever is first; says which it was. */
export async function closeWithin(
  what: string,
  close: () => Promise<unknown>,
  log: (line: string) => void,
  ms = CLOSE_TIMEOUT_MS,
) {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), ms);
  });
  try {
    const outcome = await Promise.race([close().then(() => 'closed' as const), timedOut]);
    if (outcome === 'timed out') log(`shutdown: ${what} did not close within ${ms / 1000} s; exiting without it`);
  } catch (error) {
    log(`shutdown: closing ${what} failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The last word after a stop signal: whatever still holds the process (an activity stuck on a
 * database that stopped answering, a close that never returns) exits one second before a platform
 * that waits the grace time plus the margin would kill it, with a line that says so.
 */
export function exitBeforeTheKill(graceSeconds: number, log: (line: string) => void): void {
  const seconds = graceSeconds + SHUTDOWN_MARGIN_SECONDS - 1;
  const timer = setTimeout(() => {
    log(`shutdown: still not stopped ${seconds} s after the signal (grace time plus margin, less 1 s); exiting now`);
    process.exit(1);
  }, seconds * 1000);
  timer.unref();
}
