/**
 * The visibility query of an incremental pass: every open run (they change without closing: search
 * attributes, memo) and every run closed since the cursor, less a look-back for visibility lag.
 */
export function incrementalQuery(cursor: Date, lookbackSeconds: number): string {
  const since = new Date(cursor.getTime() - lookbackSeconds * 1000).toISOString();
  return `ExecutionStatus = 'Running' OR CloseTime >= '${since}'`;
}
