import type { NamespaceOverrides } from '../namespaces/definition';
import { parseCron } from './cron';
import type { ScheduleDefinition } from './definition';

/** The schedule ID of a definition for one namespace: the namespace comes after a double dash. */
export const namespacedId = (id: string, namespace: string) => `${id}--${namespace}`;

export interface NamespaceSchedules {
  namespace: string;
  overrides: NamespaceOverrides;
}

/** The namespace's own settings, where its definition gives them and the schedule's input does not. */
function inputFor(definition: ScheduleDefinition, target: NamespaceSchedules): Record<string, unknown> {
  const { pageSize, visibilityRps, partitions } = target.overrides;
  const given = Object.fromEntries(
    Object.entries({ pageSize, visibilityRps, partitions }).filter(
      ([field, value]) => value !== undefined && !(field in definition.input),
    ),
  );
  return { ...definition.input, ...given, namespace: target.namespace };
}

/** The cron a namespace gives its incremental or full sync, if it gives one. */
function cronFor(definition: ScheduleDefinition, target: NamespaceSchedules): string | undefined {
  const mode = definition.input.mode === 'full' ? 'full' : 'incremental';
  const cron = target.overrides.schedules?.[mode];
  return cron !== undefined && parseCron(cron).ok ? cron : undefined;
}

/**
 * The definitions for a deployment of many namespaces: every SyncWorkflow schedule once per namespace
 * (its ID and its workflows' IDs carry the namespace, its input names it, and the namespace's
 * overrides apply), other schedules (the staleness check, which looks at every namespace) once. Pure.
 */
export function schedulesForNamespaces(
  definitions: readonly ScheduleDefinition[],
  namespaces: readonly NamespaceSchedules[],
): ScheduleDefinition[] {
  return definitions.flatMap((definition) => {
    if (definition.workflowType !== 'SyncWorkflow') return [definition];
    return namespaces.map((target) => {
      const cron = cronFor(definition, target);
      return {
        ...definition,
        id: namespacedId(definition.id, target.namespace),
        workflowIdPrefix: namespacedId(definition.workflowIdPrefix, target.namespace),
        input: inputFor(definition, target),
        spec: cron === undefined ? definition.spec : { ...definition.spec, cron, interval: undefined },
        namespace: target.namespace,
      };
    });
  });
}
