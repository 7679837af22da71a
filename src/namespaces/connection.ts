import { resolveTemporalConnection, type TemporalConnection } from '../temporal/connect-settings';
import type { ConnectionDefinition } from './definition';

const PREFIX = 'TEMPORAL_SYNC_SOURCE_';

/** The definition's fields by the variable each stands for, to name the field in every message. */
function fieldNames(where: string, definition: ConnectionDefinition): Array<[RegExp, string]> {
  const names: Array<[string, string]> = [
    ['TLS_CLIENT_CERT_PATH', 'tls.clientCertFile'],
    ['TLS_CLIENT_KEY_PATH', 'tls.clientKeyFile'],
    ['TLS_SERVER_CA_CERT_PATH', 'tls.serverCaFile'],
    ['TLS_SERVER_NAME', 'tls.serverName'],
    ['TLS_\\*', 'tls'],
    ['TLS', 'tls'],
    ['ADDRESS', 'address'],
    ['PROFILE', 'profile'],
    ['API_KEY', definition.apiKeyEnv ? `apiKeyEnv (${definition.apiKeyEnv})` : 'apiKeyEnv'],
  ];
  return names.map(([variable, field]) => [new RegExp(`${PREFIX}${variable}\\b`, 'g'), `${where}.${field}`]);
}

function named(text: string, names: Array<[RegExp, string]>): string {
  return names.reduce((result, [pattern, field]) => result.replace(pattern, field), text);
}

/** The environment the definition stands for, in the source connection's variables (which read a profile only when named). */
function variablesOf(definition: ConnectionDefinition, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const { tls } = definition;
  return {
    HOME: env.HOME,
    XDG_CONFIG_HOME: env.XDG_CONFIG_HOME,
    TEMPORAL_CONFIG_FILE: env.TEMPORAL_CONFIG_FILE,
    [`${PREFIX}PROFILE`]: definition.profile,
    [`${PREFIX}ADDRESS`]: definition.address,
    [`${PREFIX}API_KEY`]: definition.apiKeyEnv === undefined ? undefined : env[definition.apiKeyEnv],
    [`${PREFIX}TLS`]: tls?.disabled === undefined ? undefined : String(!tls.disabled),
    [`${PREFIX}TLS_CLIENT_CERT_PATH`]: tls?.clientCertFile,
    [`${PREFIX}TLS_CLIENT_KEY_PATH`]: tls?.clientKeyFile,
    [`${PREFIX}TLS_SERVER_CA_CERT_PATH`]: tls?.serverCaFile,
    [`${PREFIX}TLS_SERVER_NAME`]: tls?.serverName,
  };
}

export type DefinedConnection = { connection: TemporalConnection; problems: [] } | { problems: string[] };

/**
 * A connection of the namespaces definition, resolved by Temporal's own rules (envconfig: a profile,
 * with the address, API key and TLS files laid over it) and checked before anything connects: every
 * problem names the definition's field (`connections.cloud-a.apiKeyEnv (KEY_A) is not set`), never a secret.
 */
export function resolveDefinedConnection(
  definition: ConnectionDefinition,
  where: string,
  env: NodeJS.ProcessEnv,
): DefinedConnection {
  const names = fieldNames(where, definition);
  if (definition.apiKeyEnv !== undefined && !env[definition.apiKeyEnv]) {
    return { problems: [`${where}.apiKeyEnv names ${definition.apiKeyEnv}, which is not set`] };
  }
  const resolved = resolveTemporalConnection(variablesOf(definition, env), PREFIX);
  if (!('connection' in resolved)) return { problems: resolved.problems.map((problem) => named(problem, names)) };
  const { hints } = resolved.connection;
  return {
    problems: [],
    connection: {
      ...resolved.connection,
      hints: {
        address: named(hints.address, names),
        namespace: `${where} (the namespace entry)`,
        apiKey: named(hints.apiKey, names),
        tls: named(hints.tls, names),
      },
    },
  };
}
