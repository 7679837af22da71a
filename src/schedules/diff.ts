import type { ScheduleDefinition } from './definition';
import { shapeOfDefinition, type ScheduleShape } from './shape';

export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

/** Fields whose text differs, in the order of the desired shape. */
export function diffShapes(actual: ScheduleShape, desired: ScheduleShape): FieldChange[] {
  const fields = [...new Set([...Object.keys(desired), ...Object.keys(actual)])];
  return fields
    .filter((field) => actual[field] !== desired[field])
    .map((field) => ({ field, from: actual[field] ?? '(none)', to: desired[field] ?? '(none)' }));
}

/** A schedule on the server, as apply sees it. */
export interface ExistingSchedule {
  scheduleId: string;
  managed: boolean;
  shape: ScheduleShape;
}

export type ScheduleChange =
  | { kind: 'create'; scheduleId: string; shape: ScheduleShape }
  | { kind: 'update'; scheduleId: string; fields: FieldChange[] }
  | { kind: 'delete'; scheduleId: string };

export interface ApplyPlan {
  changes: ScheduleChange[];
  unchanged: string[];
  /** Defined IDs taken by schedules we did not create: apply refuses to touch them. */
  conflicts: string[];
}

/**
 * What apply must do: create what is missing, update managed schedules that differ, and with
 * `prune` delete managed schedules no longer defined. Unmanaged schedules are never changed.
 */
export function planApply(
  desired: readonly ScheduleDefinition[],
  existing: readonly ExistingSchedule[],
  options: { prune: boolean },
): ApplyPlan {
  const byId = new Map(existing.map((schedule) => [schedule.scheduleId, schedule]));
  const plan: ApplyPlan = { changes: [], unchanged: [], conflicts: [] };
  for (const definition of desired) {
    const shape = shapeOfDefinition(definition);
    const current = byId.get(definition.id);
    if (!current) {
      plan.changes.push({ kind: 'create', scheduleId: definition.id, shape });
    } else if (!current.managed) {
      plan.conflicts.push(definition.id);
    } else {
      const fields = diffShapes(current.shape, shape);
      if (fields.length === 0) plan.unchanged.push(definition.id);
      else plan.changes.push({ kind: 'update', scheduleId: definition.id, fields });
    }
  }
  if (options.prune) {
    const wanted = new Set(desired.map((definition) => definition.id));
    for (const schedule of existing) {
      if (schedule.managed && !wanted.has(schedule.scheduleId)) {
        plan.changes.push({ kind: 'delete', scheduleId: schedule.scheduleId });
      }
    }
  }
  return plan;
}
