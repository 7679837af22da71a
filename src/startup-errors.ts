/** A start-up failure reduced to one line that says what failed and which setting to look at. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly setting: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

// Order matters: a gRPC status text can contain words of later patterns (NamespaceNotFound has 'eNotFound').
const CAUSES: Array<[RegExp, string]> = [
  [/namespace[^\n]*not found|NamespaceNotFound/i, 'the namespace does not exist'],
  [/EADDRINUSE|address already in use/i, 'the port is already in use'],
  [/EADDRNOTAVAIL|cannot assign requested address/i, 'the address is not one of this machine'],
  [/ECONNREFUSED|connection ?refused/i, 'connection refused (nothing listens there)'],
  [/\bENOTFOUND\b|\bEAI_AGAIN\b|dns error|failed to lookup address|name or service not known/i, 'host name not found'],
  [/Failed to connect before the deadline/i, 'no connection before the deadline (nothing listening, or a firewall)'],
  [/ETIMEDOUT|timed? ?out|deadline exceeded/i, 'timed out'],
  [/ECONNRESET|connection reset|broken pipe/i, 'the connection was reset'],
  [/password authentication failed|no pg_hba\.conf entry|SASL/i, 'authentication failed'],
  [/database "[^"]*" does not exist/i, 'the database does not exist'],
  [/certificate|tls handshake|ssl|InvalidCertificate/i, 'TLS handshake failed'],
  [/unauthenticated|unauthorized|permission denied|PermissionDenied|invalid api key/i, 'not authorized'],
  [/EACCES/i, 'permission denied'],
];

function messagesOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
    if (current instanceof Error) {
      parts.push(`${current.name}: ${current.message}`);
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string') parts.push(code);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(' | ');
}

/**
 * The short reason behind an error from a connection attempt (a tonic transport error, a pg or
 * Node socket error, a gRPC status): what a person can act on, not the stack of layers it came through.
 */
export function describeCause(error: unknown): string {
  const text = messagesOf(error);
  for (const [pattern, reason] of CAUSES) if (pattern.test(text)) return reason;
  const first = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
  return first.length > 200 ? `${first.slice(0, 200)}…` : first || 'unknown error';
}

/** Runs one start-up step; its failure becomes a StartupError naming the target and the setting to fix. */
export async function startupStep<T>(
  what: string,
  setting: string | ((reason: string) => string),
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof StartupError || (error instanceof Error && error.name === 'ConfigError')) throw error;
    const reason = describeCause(error);
    const named = typeof setting === 'string' ? setting : setting(reason);
    throw new StartupError(`${what}: ${reason} (check ${named})`, named);
  }
}

/** host:port/database of a Postgres URL, never its user or password. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
