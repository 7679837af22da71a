/**
 * The memo key that marks a schedule as created by `npm run schedules`. The command never changes,
 * pauses, triggers or deletes a schedule without it, so schedules made by hand or by other tools
 * in the same namespace are safe.
 */
export const MANAGED_MEMO_KEY = 'temporal-sync-managed';
export const MANAGED_MEMO_VALUE = true;

export const managedMemo = (): Record<string, unknown> => ({ [MANAGED_MEMO_KEY]: MANAGED_MEMO_VALUE });

export function isManaged(memo: Record<string, unknown> | undefined): boolean {
  return memo?.[MANAGED_MEMO_KEY] === MANAGED_MEMO_VALUE;
}
