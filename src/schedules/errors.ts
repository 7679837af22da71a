/** A schedule ID the server does not know. */
export class UnknownScheduleError extends Error {
  constructor(
    readonly scheduleId: string,
    namespace: string,
  ) {
    super(
      `schedule "${scheduleId}" not found in namespace "${namespace}": check the ID with 'npm run schedules -- list --all'`,
    );
    this.name = 'UnknownScheduleError';
  }
}

/** A schedule we did not create: the command refuses to change it. */
export class UnmanagedScheduleError extends Error {
  constructor(readonly scheduleIds: string[]) {
    const list = scheduleIds.map((id) => `"${id}"`).join(', ');
    super(
      `schedule ${list} exists but was not created by temporal-sync (it has no temporal-sync-managed memo), ` +
        'so it is left alone: delete it yourself or give the definition another id',
    );
    this.name = 'UnmanagedScheduleError';
  }
}

/**
 * `--prune` with an `all` entry whose connection did not list its namespaces: those namespaces are
 * unknown, not removed, and pruning would delete their schedules. Raised before anything is changed.
 */
export class PruneRefusedError extends Error {
  constructor(problems: readonly string[]) {
    super(
      `cannot prune: ${problems.join('; ')}. Its namespaces are unknown, not removed, so --prune would delete ` +
        'their schedules: nothing was changed (apply without --prune applies the namespaces that were listed)',
    );
    this.name = 'PruneRefusedError';
  }
}
