/**
 * The memo key that marks a schedule as created by `npm run schedules`. The command never changes,
 * pauses, triggers or deletes a schedule without it, so schedules made by hand or by other tools
 * in the same namespace are safe.
 */
export const MANAGED_MEMO_KEY = 'temporal-sync-managed';
export const MANAGED_MEMO_VALUE = true;

/** The memo key that says which namespace a managed schedule syncs (set when a namespaces definition is in force). */
export const NAMESPACE_MEMO_KEY = 'temporal-sync-namespace';

export const managedMemo = (namespace?: string): Record<string, unknown> => ({
  [MANAGED_MEMO_KEY]: MANAGED_MEMO_VALUE,
  ...(namespace === undefined ? {} : { [NAMESPACE_MEMO_KEY]: namespace }),
});

/** The namespace a managed schedule syncs, from its memo; undefined for a single-namespace deployment's. */
export function namespaceOf(memo: Record<string, unknown> | undefined): string | undefined {
  const namespace = memo?.[NAMESPACE_MEMO_KEY];
  return typeof namespace === 'string' ? namespace : undefined;
}

export function isManaged(memo: Record<string, unknown> | undefined): boolean {
  return memo?.[MANAGED_MEMO_KEY] === MANAGED_MEMO_VALUE;
}
