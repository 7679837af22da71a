import type { DataChanges } from '../alerts/data-incidents';
import type { RunFacts } from '../db/sync-runs';
import { streamNamed } from '../streams/registry';
import type { SyncDependencies } from './dependencies';

/** The incidents a completed run's data opened and closed: each stream the run read decides its own. */
export async function decideOnData(deps: SyncDependencies, run: RunFacts): Promise<DataChanges> {
  const changes: DataChanges = { opened: [], closed: [] };
  for (const name of run.streams) {
    const decide = streamNamed(name)?.dataIncidents;
    if (!decide) continue;
    const part = await decide(deps, run);
    changes.opened.push(...part.opened);
    changes.closed.push(...part.closed);
  }
  return changes;
}
