import {
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleSummary,
} from '@temporalio/client';
import type { OverlapPolicy } from './definition';
import { UnknownScheduleError, UnmanagedScheduleError } from './errors';
import { isManaged } from './managed';

/** Describes a schedule, naming an unknown ID clearly. Reading is allowed for any schedule. */
export async function describeSchedule(client: Client, scheduleId: string): Promise<ScheduleDescription> {
  try {
    return await client.schedule.getHandle(scheduleId).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw new UnknownScheduleError(scheduleId, client.options.namespace);
    throw error;
  }
}

/** A handle to a schedule we created; any other is refused before anything is changed. */
export async function managedHandle(client: Client, scheduleId: string): Promise<ScheduleHandle> {
  const description = await describeSchedule(client, scheduleId);
  if (!isManaged(description.memo)) throw new UnmanagedScheduleError([scheduleId]);
  return client.schedule.getHandle(scheduleId);
}

/** Checks every ID first, so a typo in the third does not leave the first two half-done. */
async function managedHandles(client: Client, scheduleIds: readonly string[]): Promise<ScheduleHandle[]> {
  const handles: ScheduleHandle[] = [];
  for (const id of scheduleIds) handles.push(await managedHandle(client, id));
  return handles;
}

export interface ListedSchedule {
  summary: ScheduleSummary;
  managed: boolean;
}

/** Schedules in the namespace (eventually consistent: one created a moment ago may be missing). */
export async function listSchedules(client: Client, options: { all: boolean }): Promise<ListedSchedule[]> {
  const listed: ListedSchedule[] = [];
  for await (const summary of client.schedule.list()) {
    const managed = isManaged(summary.memo);
    if (managed || options.all) listed.push({ summary, managed });
  }
  return listed.sort((a, b) => a.summary.scheduleId.localeCompare(b.summary.scheduleId));
}

/** Deletes the named managed schedules, or with `all` every managed one; returns the IDs deleted. */
export async function deleteSchedules(
  client: Client,
  target: { ids: readonly string[] } | { all: true },
): Promise<string[]> {
  const ids =
    'all' in target
      ? (await listSchedules(client, { all: false })).map((listed) => listed.summary.scheduleId)
      : [...target.ids];
  const deleted: string[] = [];
  for (const handle of await managedHandles(client, ids)) {
    try {
      await handle.delete();
      deleted.push(handle.scheduleId);
    } catch (error) {
      // Listed a moment ago but already gone: what we wanted.
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
  return deleted;
}

export async function pauseSchedules(client: Client, scheduleIds: readonly string[], note: string): Promise<void> {
  for (const handle of await managedHandles(client, scheduleIds)) await handle.pause(note);
}

export async function unpauseSchedules(client: Client, scheduleIds: readonly string[], note: string): Promise<void> {
  for (const handle of await managedHandles(client, scheduleIds)) await handle.unpause(note);
}

/** Starts the schedule's action now; `overlap` decides what happens if one of its runs is still going. */
export async function triggerSchedule(client: Client, scheduleId: string, overlap: OverlapPolicy): Promise<void> {
  await (await managedHandle(client, scheduleId)).trigger(overlap);
}

/** Takes the actions the schedule would have taken between `start` and `end`, as if that time passed now. */
export async function backfillSchedule(
  client: Client,
  scheduleId: string,
  range: { start: Date; end: Date; overlap: OverlapPolicy },
): Promise<void> {
  await (await managedHandle(client, scheduleId)).backfill(range);
}
