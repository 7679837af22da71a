import { DefinitionError, parseDefinitionDocument, readDefinitionFile } from '../definition-text';
import type { TemporalConnection } from '../temporal/connect-settings';
import { resolveDefinedConnection } from './connection';
import {
  namespacesFileSchema,
  type CodecDefinition,
  type ConnectionDefinition,
  type NamespaceOverrides,
  type NamespacesFile,
} from './definition';

/** The connection a namespace is read through: the worker's source connection ('default'), or one of the definition's. */
export interface NamedConnection {
  name: string;
  temporal: TemporalConnection;
  /** The codec server of every namespace read through it, unless the namespace names its own. */
  codec: CodecDefinition | undefined;
}

interface Setup {
  connection: string;
  overrides: NamespaceOverrides;
  codec: CodecDefinition | undefined;
  /** Where it is defined, for messages: "TEMPORAL_SYNC_NAMESPACES_FILE (ns.yaml): namespaces[2]". */
  origin: string;
}

export interface NamespaceSetup extends Setup {
  namespace: string;
}

/** Every namespace a connection lists (ListNamespaces), but for the patterns. */
export interface AllSetup extends Setup {
  include: string[] | undefined;
  exclude: string[] | undefined;
}

export interface SourceNamespaces {
  /** True when a namespaces definition is in force: schedule IDs then carry the namespace. */
  defined: boolean;
  connections: Map<string, NamedConnection>;
  explicit: NamespaceSetup[];
  all: AllSetup[];
  /** The API keys, TLS keys and codec auth of every connection: never printed. */
  secrets: string[];
}

export const DEFAULT_CONNECTION = 'default';

export interface NamespaceSources {
  /** TEMPORAL_SYNC_NAMESPACES_FILE, with the text it names. */
  file?: string | undefined;
  /** TEMPORAL_SYNC_NAMESPACES: the same format inline, added to the file. */
  inline?: string | undefined;
}

function layers(sources: NamespaceSources): Array<{ source: string; document: NamespacesFile }> {
  const found: Array<{ source: string; document: NamespacesFile }> = [];
  if (sources.file !== undefined) {
    const source = `TEMPORAL_SYNC_NAMESPACES_FILE (${sources.file})`;
    const text = readDefinitionFile(sources.file, 'namespaces definition');
    found.push({ source, document: parseDefinitionDocument(text, source, namespacesFileSchema) });
  }
  if (sources.inline !== undefined) {
    const source = 'TEMPORAL_SYNC_NAMESPACES';
    found.push({ source, document: parseDefinitionDocument(sources.inline, source, namespacesFileSchema) });
  }
  return found;
}

/** Resolves every connection named or given in place; the problems name the field, each on one line. */
function connectionsOf(
  found: ReturnType<typeof layers>,
  sourceConnection: TemporalConnection,
  env: NodeJS.ProcessEnv,
): { connections: Map<string, NamedConnection>; refs: Map<object, string>; problems: string[] } {
  const connections = new Map<string, NamedConnection>([
    [DEFAULT_CONNECTION, { name: DEFAULT_CONNECTION, temporal: sourceConnection, codec: undefined }],
  ]);
  const refs = new Map<object, string>();
  const problems: string[] = [];
  const add = (name: string, definition: ConnectionDefinition, where: string) => {
    const resolved = resolveDefinedConnection(definition, where, env);
    if ('connection' in resolved)
      connections.set(name, { name, temporal: resolved.connection, codec: definition.codec });
    else problems.push(...resolved.problems);
  };
  for (const { source, document } of found) {
    for (const [name, definition] of Object.entries(document.connections ?? {}))
      add(name, definition, `${source}: connections.${name}`);
  }
  for (const { source, document } of found) {
    document.namespaces.forEach((entry, index) => {
      if (typeof entry.connection !== 'object') return;
      const name = `${source}: namespaces[${index}].connection`;
      refs.set(entry, name);
      add(name, entry.connection, name);
    });
  }
  return { connections, refs, problems };
}

/**
 * The namespaces this deployment syncs. With no definition: the one source namespace through the
 * source connection, as the single-namespace variables say. With one (TEMPORAL_SYNC_NAMESPACES_FILE
 * and/or TEMPORAL_SYNC_NAMESPACES): each entry, its connection resolved and checked, or a
 * DefinitionError naming the entry and field.
 */
export function loadNamespaces(
  sources: NamespaceSources,
  single: { namespace: string; connection: TemporalConnection; codec?: CodecDefinition | undefined },
  env: NodeJS.ProcessEnv,
): SourceNamespaces {
  const found = layers(sources);
  if (found.length === 0) {
    const setup = {
      namespace: single.namespace,
      connection: DEFAULT_CONNECTION,
      overrides: {},
      codec: single.codec,
      origin: 'TEMPORAL_SYNC_SOURCE_NAMESPACE',
    };
    return {
      defined: false,
      connections: new Map([
        [DEFAULT_CONNECTION, { name: DEFAULT_CONNECTION, temporal: single.connection, codec: single.codec }],
      ]),
      explicit: [setup],
      all: [],
      secrets: [],
    };
  }
  const { connections, refs, problems } = connectionsOf(found, single.connection, env);
  if (problems.length > 0) throw new DefinitionError(problems.join('; '));
  const explicit: NamespaceSetup[] = [];
  const all: AllSetup[] = [];
  for (const { source, document } of found) {
    document.namespaces.forEach((entry, index) => {
      const origin = `${source}: namespaces[${index}]`;
      const connection =
        typeof entry.connection === 'object' ? refs.get(entry)! : (entry.connection ?? DEFAULT_CONNECTION);
      if (!connections.has(connection)) {
        throw new DefinitionError(
          `${origin}.connection: "${connection}" is not under connections (${[...connections.keys()].join(', ')})`,
        );
      }
      const { schedules, pageSize, visibilityRps, partitions } = entry;
      const codec = entry.codec ?? connections.get(connection)!.codec;
      if (codec?.authEnv !== undefined && !env[codec.authEnv]) {
        throw new DefinitionError(`${origin}: the codec's authEnv names ${codec.authEnv}, which is not set`);
      }
      const setup = { connection, overrides: { schedules, pageSize, visibilityRps, partitions }, codec, origin };
      if ('all' in entry) all.push({ ...setup, include: entry.include, exclude: entry.exclude });
      else {
        const twice = explicit.find((other) => other.namespace === entry.namespace);
        if (twice) throw new DefinitionError(`${origin}.namespace: "${entry.namespace}" is also ${twice.origin}`);
        explicit.push({ ...setup, namespace: entry.namespace });
      }
    });
  }
  const codecAuth = [...explicit, ...all].flatMap((setup) => (setup.codec?.authEnv ? [env[setup.codec.authEnv]!] : []));
  const secrets = [...[...connections.values()].flatMap((c) => c.temporal.secrets), ...codecAuth].filter(
    (s) => s !== '',
  );
  return { defined: true, connections, explicit, all, secrets: [...new Set(secrets)] };
}
