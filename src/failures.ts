import { ApplicationFailure } from '@temporalio/common';

/**
 * The failure types retrying cannot fix: a sync and its activities fail at once on them, and the
 * schedules' retry policies list them, so a run is not tried again to fail the same way.
 */
export const NonRetryable = {
  /** The workflow input (or a field the planning activity checks, such as `streams`) is wrong. */
  InvalidSyncInput: 'InvalidSyncInput',
  SourceAccessDenied: 'SourceAccessDenied',
  SourceNamespaceNotFound: 'SourceNamespaceNotFound',
  SourceQueryInvalid: 'SourceQueryInvalid',
  DatabaseAccessDenied: 'DatabaseAccessDenied',
  DatabaseSchemaMissing: 'DatabaseSchemaMissing',
  /** An activity of a run reached a worker that writes to another destination than the run's. */
  DestinationMismatch: 'DestinationMismatch',
} as const;

export type NonRetryableType = (typeof NonRetryable)[keyof typeof NonRetryable];

export const NON_RETRYABLE_ERROR_TYPES: NonRetryableType[] = Object.values(NonRetryable);

/** A failure of one of the types above, with its message. */
export function nonRetryable(type: NonRetryableType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
