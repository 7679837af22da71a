import type pg from 'pg';
import { qualified } from './identifiers';

/** Fires a schedule missed, skipped or dropped, summed over a span of describes. */
export interface ScheduleProblem {
  scheduleId: string;
  kind: 'missed_catchup_window' | 'skipped_overlap' | 'buffer_dropped';
  fires: number;
  /** The span the fires were missed in: from the first window's start to the last one's end. */
  since: Date;
  until: Date;
  overlapPolicy: string | null;
  catchupWindowSeconds: number | null;
}

const PROBLEM_COLUMNS = `schedule_id AS "scheduleId", kind, sum(count)::float8 AS fires, min(window_start) AS since,
  max(window_end) AS until, (array_agg(overlap_policy ORDER BY window_end DESC))[1] AS "overlapPolicy",
  (array_agg(catchup_window_seconds ORDER BY window_end DESC))[1] AS "catchupWindowSeconds"`;

/**
 * The counter changes one run recorded (the trigger on schedule gives its events the run's ID), by
 * schedule and kind. What a schedule had counted before its first describe (no window start) is left
 * out: it is not news of this sync.
 */
export async function scheduleProblemsOfRun(
  db: pg.Pool,
  schema: string,
  syncRunId: string,
): Promise<ScheduleProblem[]> {
  const { rows } = await db.query<ScheduleProblem>(
    `SELECT ${PROBLEM_COLUMNS} FROM ${qualified(schema, 'schedule_event')}
     WHERE sync_run_id = $1 AND window_start IS NOT NULL
     GROUP BY schedule_id, kind ORDER BY schedule_id, kind`,
    [syncRunId],
  );
  return rows;
}

/** A namespace's schedule problems whose windows ended since `since`, for `npm run status`. */
export async function recentScheduleProblems(
  db: pg.Pool,
  schema: string,
  namespace: string,
  since: Date,
): Promise<ScheduleProblem[]> {
  const { rows } = await db.query<ScheduleProblem>(
    `SELECT ${PROBLEM_COLUMNS} FROM ${qualified(schema, 'schedule_event')}
     WHERE namespace = $1 AND window_end >= $2 AND window_start IS NOT NULL
     GROUP BY schedule_id, kind ORDER BY sum(count) DESC, schedule_id, kind`,
    [namespace, since],
  );
  return rows;
}

/**
 * Of these schedules, those that took an action since the last event of these kinds was recorded
 * (their action count moved past the event's): they fire normally again.
 */
export async function schedulesFiringAgain(
  db: pg.Pool,
  schema: string,
  args: { namespace: string; scheduleIds: readonly string[]; kinds: readonly string[] },
): Promise<Set<string>> {
  if (args.scheduleIds.length === 0) return new Set();
  const { rows } = await db.query<{ schedule_id: string }>(
    `SELECT s.schedule_id FROM ${qualified(schema, 'schedule')} s
     JOIN LATERAL (
       SELECT e.actions_taken FROM ${qualified(schema, 'schedule_event')} e
       WHERE e.namespace = s.namespace AND e.schedule_id = s.schedule_id AND e.kind = ANY($3::text[])
       ORDER BY e.id DESC LIMIT 1
     ) last ON true
     WHERE s.namespace = $1 AND s.schedule_id = ANY($2::text[]) AND s.num_actions_taken > last.actions_taken`,
    [args.namespace, args.scheduleIds, args.kinds],
  );
  return new Set(rows.map((row) => row.schedule_id));
}

/** A workflow type with stuck runs still open, and what holds most of them up. */
export interface StuckType {
  workflowType: string;
  runs: number;
  /** The activity failing in most of its stuck runs (its highest attempt and latest message), if any. */
  activityType: string | null;
  activityAttempt: number | null;
  lastFailure: string | null;
  /** The highest workflow task attempt among its stuck runs (a failing workflow task), if past the first. */
  workflowTaskAttempt: number | null;
  reportedProblems: string[];
}

/**
 * The workflow types with stuck runs that are still open (no closed view of the run in `workflow`),
 * the most stuck runs first.
 */
export async function stuckTypes(db: pg.Pool, schema: string, namespace: string, limit = 1000): Promise<StuckType[]> {
  const { rows } = await db.query<StuckType>(
    `WITH open_stuck AS (
       SELECT s.* FROM ${qualified(schema, 'stuck_workflow')} s
       WHERE s.namespace = $1 AND s.stuck AND s.deleted_at IS NULL AND NOT EXISTS (
         SELECT 1 FROM ${qualified(schema, 'workflow')} w
         WHERE w.namespace = s.namespace AND w.workflow_id = s.workflow_id AND w.run_id = s.run_id
           AND w.close_time IS NOT NULL)
     ), failing AS (
       SELECT coalesce(a.workflow_type, '') AS workflow_type, a.activity_type, count(*) AS runs,
              max(a.attempt) AS attempt, (array_agg(a.last_failure_message ORDER BY a.attempt DESC))[1] AS message
       FROM ${qualified(schema, 'stuck_activity')} a
       JOIN open_stuck o USING (namespace, workflow_id, run_id)
       WHERE a.attempt > 1 GROUP BY 1, 2
     )
     SELECT t.workflow_type AS "workflowType", t.runs, f.activity_type AS "activityType",
            f.attempt AS "activityAttempt", f.message AS "lastFailure",
            CASE WHEN t.task_attempt > 1 THEN t.task_attempt END AS "workflowTaskAttempt",
            t.problems AS "reportedProblems"
     FROM (
       SELECT coalesce(workflow_type, '') AS workflow_type, count(DISTINCT (workflow_id, run_id))::int AS runs,
              max(workflow_task_attempt) AS task_attempt,
              coalesce(array_agg(DISTINCT p.problem) FILTER (WHERE p.problem IS NOT NULL), '{}') AS problems
       FROM open_stuck
       LEFT JOIN LATERAL jsonb_array_elements_text(coalesce(reported_problems, '[]')) AS p(problem) ON true
       GROUP BY 1
     ) t
     LEFT JOIN LATERAL (
       SELECT * FROM failing f WHERE f.workflow_type = t.workflow_type ORDER BY f.runs DESC, f.attempt DESC LIMIT 1
     ) f ON true
     ORDER BY t.runs DESC, t.workflow_type LIMIT $2`,
    [namespace, limit],
  );
  return rows;
}
