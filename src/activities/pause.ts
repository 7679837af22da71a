import { Context } from '@temporalio/activity';

/**
 * Waits while telling Temporal the activity is alive, with the details its last heartbeat carried (the
 * server keeps only the latest); a cancellation (delivered by the heartbeat) ends it.
 */
export async function heartbeatingPause(ms: number, details: () => unknown = () => undefined): Promise<void> {
  const context = Context.current();
  const end = Date.now() + ms;
  for (let left = ms; left > 0; left = end - Date.now()) {
    context.heartbeat(details());
    await context.sleep(Math.min(left, 1000));
  }
}
