/**
 * The visibility query of an incremental pass: every open run (they change without closing: search
 * attributes, memo) and every run closed since the cursor, less a look-back for visibility lag.
 */
export function incrementalQuery(cursor: Date, lookbackSeconds: number): string {
  return `ExecutionStatus = 'Running' OR CloseTime >= '${incrementalSince(cursor, lookbackSeconds).toISOString()}'`;
}

/** The close time from which an incremental pass lists closed runs: the cursor less the look-back. */
export function incrementalSince(cursor: Date, lookbackSeconds: number): Date {
  return new Date(cursor.getTime() - lookbackSeconds * 1000);
}
