import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  loadClientConfigProfile,
  toClientOptions,
  type ClientConfigProfile,
  type ClientConnectConfig,
} from '@temporalio/envconfig';
import { hostPortProblem } from '../config-fields';
import { certificateMatchesKey, checkTlsMaterial, type TlsPart } from './tls-material';

/** The variables of the worker's own connection, and of a source connection of its own. */
export type ConnectPrefix = 'TEMPORAL_' | 'TEMPORAL_SYNC_SOURCE_';

export interface TemporalConnection {
  connectionOptions: ClientConnectConfig['connectionOptions'];
  address: string;
  /** By Temporal's rule, as the temporal CLI reads it: the variable over the profile; undefined when neither sets one. */
  namespace: string | undefined;
  /** Where to look when something fails, by what failed: the variable, or the profile entry that gave the value. */
  hints: { address: string; namespace: string; apiKey: string; tls: string };
  /** The API key and the client key: never printed. */
  secrets: string[];
}

export type ConnectionResult = { connection: TemporalConnection; problems: [] } | { problems: string[] };

const TLS_FIELDS: Record<TlsPart, string> = {
  clientCert: 'CLIENT_CERT',
  clientKey: 'CLIENT_KEY',
  serverCACert: 'SERVER_CA_CERT',
};

/** What envconfig reads for this prefix, renamed to the TEMPORAL_ names it knows; empty values count as unset. */
function envconfigVariables(env: NodeJS.ProcessEnv, prefix: ConnectPrefix): Record<string, string> {
  const mapped: Record<string, string> = {};
  for (const [variable, value] of Object.entries(env)) {
    if (value === undefined || !variable.startsWith(prefix)) continue;
    const standard = `TEMPORAL_${variable.slice(prefix.length)}`;
    // An empty gRPC header variable removes the header, as envconfig documents; any other empty one means unset.
    if (value !== '' || standard.startsWith('TEMPORAL_GRPC_META_')) mapped[standard] = value;
  }
  for (const shared of ['HOME', 'XDG_CONFIG_HOME', 'TEMPORAL_CONFIG_FILE']) {
    const value = env[shared];
    if (mapped[shared] === undefined && value) mapped[shared] = value;
  }
  return mapped;
}

/** The config file envconfig reads: TEMPORAL_CONFIG_FILE, else temporalio/temporal.toml in the user's config folder. */
function configFilePath(variables: Record<string, string>): string | undefined {
  if (variables.TEMPORAL_CONFIG_FILE) return variables.TEMPORAL_CONFIG_FILE;
  const base = variables.XDG_CONFIG_HOME ?? (variables.HOME ? path.join(variables.HOME, '.config') : undefined);
  return base === undefined ? undefined : path.join(base, 'temporalio', 'temporal.toml');
}

interface Naming {
  prefix: ConnectPrefix;
  variables: Record<string, string>;
  /** How to name the profile in a message: 'profile "prod" in TEMPORAL_CONFIG_FILE (/etc/temporal.toml)'. */
  profile: string;
  file: string;
  /** The variable that names the file, when one does. */
  fileVariable: string;
}

function namingFor(env: NodeJS.ProcessEnv, prefix: ConnectPrefix, variables: Record<string, string>): Naming {
  const filePath = configFilePath(variables) ?? '(none)';
  const fileVariable = env[`${prefix}CONFIG_FILE`] ? `${prefix}CONFIG_FILE` : 'TEMPORAL_CONFIG_FILE';
  const file = variables.TEMPORAL_CONFIG_FILE
    ? `${fileVariable} (${filePath})`
    : `the Temporal config file ${filePath}`;
  const profile = `profile "${variables.TEMPORAL_PROFILE ?? 'default'}" in ${file}`;
  return { prefix, variables, file, fileVariable, profile };
}

/** The one line for an error envconfig threw while reading the file and the profile. */
function profileProblem(error: unknown, naming: Naming): string {
  const message = error instanceof Error ? error.message : String(error);
  // smol-toml's TomlError: its message goes on to quote the file, which may hold an API key; only its first line is said.
  const toml = error as { line?: unknown; column?: unknown };
  const tomlReason = /^Invalid TOML document: ([^\n]*)/.exec(message);
  if (tomlReason && typeof toml.line === 'number') {
    return `${naming.file} is not valid TOML (line ${toml.line}, column ${String(toml.column)}: ${tomlReason[1]})`;
  }
  if (/^Profile '.*' not found/.test(message)) {
    return `${naming.prefix}PROFILE names ${naming.profile}, which does not define it`;
  }
  const both = /Cannot specify both (\w+)_path and \w+_data/.exec(message);
  if (both) {
    const field = both[1]!;
    return (
      `${naming.prefix}TLS_${field.toUpperCase()}_PATH and _DATA (or ${field}_path and ${field}_data of ` +
      `${naming.profile}) are both set: give one`
    );
  }
  const code = (error as NodeJS.ErrnoException).code;
  return `${naming.file} cannot be read (${code ?? message.split('\n')[0]})`;
}

/** The variable that set a TLS part, or the profile entry when no variable did. */
function tlsSettingName(part: TlsPart, naming: Naming): string {
  const field = TLS_FIELDS[part];
  for (const kind of ['PATH', 'DATA']) {
    if (naming.variables[`TEMPORAL_TLS_${field}_${kind}`] !== undefined) return `${naming.prefix}TLS_${field}_${kind}`;
  }
  return `${field.toLowerCase()}_path or _data of ${naming.profile}`;
}

function checkTls(profile: ClientConfigProfile, naming: Naming): { problems: string[]; secrets: string[] } {
  const tls = profile.tls;
  if (tls === undefined || tls.disabled === true) return { problems: [], secrets: [] };
  const problems: string[] = [];
  const checked: Partial<Record<TlsPart, ReturnType<typeof checkTlsMaterial>>> = {};
  for (const part of Object.keys(TLS_FIELDS) as TlsPart[]) {
    const source = tls[part];
    if (source === undefined) continue;
    const result = checkTlsMaterial(part, source, tlsSettingName(part, naming));
    checked[part] = result;
    if ('problem' in result) problems.push(result.problem);
  }
  const [cert, key] = [checked.clientCert, checked.clientKey];
  const certName = tlsSettingName('clientCert', naming);
  const keyName = tlsSettingName('clientKey', naming);
  if ((cert === undefined) !== (key === undefined)) {
    problems.push(
      cert === undefined
        ? `${keyName} is set without a client certificate (${naming.prefix}TLS_CLIENT_CERT_PATH or _DATA)`
        : `${certName} is set without a client key (${naming.prefix}TLS_CLIENT_KEY_PATH or _DATA)`,
    );
  } else if (cert && key && 'certificate' in cert && 'key' in key && cert.certificate && key.key) {
    if (!certificateMatchesKey(cert.certificate, key.key)) {
      problems.push(`${certName} and ${keyName} do not belong together: the certificate is not for that key`);
    }
  }
  const secrets = key && 'text' in key ? [key.text] : [];
  return { problems, secrets };
}

function hintsFor(naming: Naming, profile: ClientConfigProfile): TemporalConnection['hints'] {
  const fromFile = (variable: string, entry: string) =>
    naming.variables[`TEMPORAL_${variable}`] !== undefined
      ? `${naming.prefix}${variable}`
      : `${naming.prefix}${variable} (or ${entry} of ${naming.profile})`;
  return {
    address: profile.address === undefined ? `${naming.prefix}ADDRESS` : fromFile('ADDRESS', 'address'),
    namespace: profile.namespace === undefined ? `${naming.prefix}NAMESPACE` : fromFile('NAMESPACE', 'namespace'),
    apiKey: profile.apiKey === undefined ? `${naming.prefix}API_KEY` : fromFile('API_KEY', 'api_key'),
    tls: `${naming.prefix}TLS_* and ${naming.prefix}ADDRESS`,
  };
}

/** True when the file has no profile at all: envconfig would fail on it reading profile[name] of undefined. */
function holdsNoProfile(file: string | undefined): boolean {
  if (file === undefined || !existsSync(file)) return false;
  try {
    return !/^\s*(?:\[\s*)?profile\b/m.test(readFileSync(file, 'utf8'));
  } catch {
    return false; // unreadable: envconfig says so, and profileProblem names it
  }
}

/** The profile, variables laid over it, by envconfig's rules; or the one problem with the file or the profile. */
function readProfile(
  variables: Record<string, string>,
  naming: Naming,
): { profile: ClientConfigProfile } | { problems: string[] } {
  const explicitFile = variables.TEMPORAL_CONFIG_FILE;
  // The source reads a profile only when told to: the worker's default profile is not the source's.
  const sourceWithoutProfile = naming.prefix === 'TEMPORAL_SYNC_SOURCE_' && variables.TEMPORAL_PROFILE === undefined;
  if (!sourceWithoutProfile && explicitFile !== undefined && !existsSync(explicitFile)) {
    return { problems: [`${naming.fileVariable} names a file that does not exist: ${explicitFile}`] };
  }
  const empty = !sourceWithoutProfile && holdsNoProfile(configFilePath(variables));
  if (empty && variables.TEMPORAL_PROFILE !== undefined) {
    return { problems: [`${naming.prefix}PROFILE names ${naming.profile}, which does not define it`] };
  }
  try {
    return {
      profile: loadClientConfigProfile({ overrideEnvVars: variables, disableFile: sourceWithoutProfile || empty }),
    };
  } catch (error) {
    return { problems: [profileProblem(error, naming)] };
  }
}

/**
 * The connection to Temporal by Temporal's own conventions (@temporalio/envconfig: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS files and data, TEMPORAL_PROFILE in TEMPORAL_CONFIG_FILE),
 * checked before anything connects: each problem is one line naming the variable or profile entry.
 * With the TEMPORAL_SYNC_SOURCE_ prefix, TEMPORAL_SYNC_SOURCE_X stands for TEMPORAL_X, and a profile
 * is read only when TEMPORAL_SYNC_SOURCE_PROFILE names one.
 */
export function resolveTemporalConnection(env: NodeJS.ProcessEnv, prefix: ConnectPrefix): ConnectionResult {
  const variables = envconfigVariables(env, prefix);
  const naming = namingFor(env, prefix, variables);
  const read = readProfile(variables, naming);
  if ('problems' in read) return read;
  const { profile } = read;
  const problems: string[] = [];
  if (variables.TEMPORAL_ADDRESS === undefined && profile.address !== undefined) {
    const problem = hostPortProblem(profile.address);
    if (problem) problems.push(`address of ${naming.profile} ${problem}`);
  }
  const tls = checkTls(profile, naming);
  problems.push(...tls.problems);
  if (problems.length > 0) return { problems };
  const { connectionOptions } = toClientOptions(profile);
  const secrets = [...tls.secrets, profile.apiKey, variables.TEMPORAL_CODEC_AUTH].filter(
    (secret): secret is string => secret !== undefined && secret !== '',
  );
  return {
    problems: [],
    connection: {
      connectionOptions,
      address: connectionOptions.address ?? 'localhost:7233',
      namespace: profile.namespace === '' ? undefined : profile.namespace,
      hints: hintsFor(naming, profile),
      secrets,
    },
  };
}
