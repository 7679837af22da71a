import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';

type ScheduleListEntry = Awaited<ReturnType<Client['workflowService']['listSchedules']>>['schedules'][number];

/** A schedule as ListSchedules shows it: its ID, and a digest of everything the entry holds. */
export interface ListedSchedule {
  scheduleId: string;
  fingerprint: string;
}

/**
 * The entry's protobuf JSON (spec, paused, notes, recent actions, next times, memo, search
 * attributes) digested: a change to any of them changes the fingerprint. Equal entries give equal
 * fingerprints; the reverse need not hold, which costs only an extra describe.
 */
export function listedSchedule(entry: ScheduleListEntry): ListedSchedule | undefined {
  if (!entry.scheduleId) return undefined;
  const fingerprint = createHash('sha256').update(JSON.stringify(entry)).digest('base64url');
  return { scheduleId: entry.scheduleId, fingerprint };
}
