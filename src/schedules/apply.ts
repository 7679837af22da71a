import { ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import type { ScheduleDefinition } from './definition';
import { planApply, type ExistingSchedule, type ScheduleChange } from './diff';
import { UnmanagedScheduleError } from './errors';
import { isManaged } from './managed';
import { scheduleOptions, shapeOfDescription } from './shape';

export interface ApplyOptions {
  /** A client of the namespace the schedules live in. */
  client: Client;
  definitions: readonly ScheduleDefinition[];
  /** Work out the changes without making them. */
  dryRun?: boolean;
  /** Also delete managed schedules that are no longer defined. */
  prune?: boolean;
}

const CREATED_NOTE = 'created by temporal-sync (npm run schedules -- apply)';

async function describeOrUndefined(client: Client, scheduleId: string): Promise<ScheduleDescription | undefined> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  }
}

const existing = (description: ScheduleDescription): ExistingSchedule => ({
  scheduleId: description.scheduleId,
  managed: isManaged(description.memo),
  shape: shapeOfDescription(description),
});

/**
 * Defined schedules are read with describe(), which is consistent; pruning also needs the list,
 * which is eventually consistent, so a schedule created a moment ago may be missed by --prune.
 */
async function readExisting(client: Client, definitions: readonly ScheduleDefinition[], prune: boolean) {
  const found: ExistingSchedule[] = [];
  const ids = new Set(definitions.map((definition) => definition.id));
  for (const id of ids) {
    const description = await describeOrUndefined(client, id);
    if (description) found.push(existing(description));
  }
  if (prune) {
    for await (const summary of client.schedule.list()) {
      if (ids.has(summary.scheduleId) || !isManaged(summary.memo)) continue;
      const description = await describeOrUndefined(client, summary.scheduleId);
      if (description) found.push(existing(description));
    }
  }
  return found;
}

/**
 * Makes the namespace's managed schedules match the definitions: creates what is missing, updates
 * what differs (same ID, keeping its paused state and note), and with `prune` deletes managed
 * schedules no longer defined. Refuses, before changing anything, when a defined ID belongs to a
 * schedule we did not create. Returns the changes made (or, with `dryRun`, the ones it would make);
 * an empty list means everything already matched.
 */
export async function applySchedules(options: ApplyOptions): Promise<ScheduleChange[]> {
  const { client, definitions, dryRun = false, prune = false } = options;
  const plan = planApply(definitions, await readExisting(client, definitions, prune), { prune });
  if (plan.conflicts.length > 0) throw new UnmanagedScheduleError(plan.conflicts);
  if (dryRun) return plan.changes;
  const byId = new Map(definitions.map((definition) => [definition.id, definition]));
  for (const change of plan.changes) {
    const handle = client.schedule.getHandle(change.scheduleId);
    if (change.kind === 'delete') {
      await handle.delete();
      continue;
    }
    const options = scheduleOptions(byId.get(change.scheduleId)!);
    if (change.kind === 'create') {
      await client.schedule.create({ ...options, state: { note: CREATED_NOTE } });
    } else {
      // update() cannot change the memo, and the ID stays.
      const { scheduleId: _id, memo: _memo, ...desired } = options;
      // Paused or not, and the note, are the operator's: pause/unpause set them, apply keeps them.
      await handle.update((previous) => ({
        ...desired,
        state: {
          paused: previous.state.paused,
          note: previous.state.note,
          remainingActions: previous.state.remainingActions,
        },
      }));
    }
  }
  return plan.changes;
}
