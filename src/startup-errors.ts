import { isGrpcServiceError } from '@temporalio/client';

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

interface Cause {
  pattern: RegExp;
  reason: string;
  /** Worth waiting for at start: the other side may be starting (a container, a restart), not wrong. */
  transient: boolean;
}

/**
 * Error codes first (Node's socket codes, Postgres SQLSTATEs, gRPC's status names), then the fixed
 * texts of errors that carry no code (the SDK Core's transport errors, pg's connection timeouts).
 * Order matters: a gRPC status text can contain words of later patterns (NamespaceNotFound has 'eNotFound').
 */
const CAUSES: Cause[] = [
  { pattern: /namespace[^\n]*not found|NamespaceNotFound/i, reason: 'the namespace does not exist', transient: false },
  { pattern: /EADDRINUSE|address already in use/i, reason: 'the port is already in use', transient: false },
  {
    pattern: /EADDRNOTAVAIL|cannot assign requested address/i,
    reason: 'the address is not one of this machine',
    transient: false,
  },
  {
    pattern: /ECONNREFUSED|connection ?refused/i,
    reason: 'connection refused (nothing listens there)',
    transient: true,
  },
  {
    pattern: /\bENOTFOUND\b|\bEAI_AGAIN\b|dns error|failed to lookup address|name or service not known/i,
    reason: 'host name not found',
    transient: true,
  },
  {
    pattern: /\b57P03\b|the database system is (?:starting up|not yet accepting connections|in recovery mode)/i,
    reason: 'the database system is starting up',
    transient: true,
  },
  {
    pattern: /\b57P01\b|terminating connection due to administrator command/i,
    reason: 'the database server is shutting down or restarting',
    transient: true,
  },
  {
    pattern: /Failed to connect before the deadline/i,
    reason: 'no connection before the deadline (nothing listening, or a firewall)',
    transient: true,
  },
  {
    pattern: /ETIMEDOUT|timed? ?out|deadline exceeded|TimeoutExpired|timeout expired|connection timeout/i,
    reason: 'timed out',
    transient: true,
  },
  {
    pattern: /ECONNRESET|connection ?reset|broken pipe|EPIPE|Connection terminated unexpectedly/i,
    reason: 'the connection was reset',
    transient: true,
  },
  {
    pattern: /EHOSTUNREACH|ENETUNREACH|HostUnreachable|NetworkUnreachable/i,
    reason: 'no route to the host',
    transient: true,
  },
  {
    pattern: /password authentication failed|no pg_hba\.conf entry|SASL/i,
    reason: 'authentication failed',
    transient: false,
  },
  { pattern: /database "[^"]*" does not exist/i, reason: 'the database does not exist', transient: false },
  { pattern: /certificate|tls handshake|ssl|InvalidCertificate/i, reason: 'TLS handshake failed', transient: false },
  {
    pattern: /unauthenticated|unauthorized|permission denied|PermissionDenied|invalid api key/i,
    reason: 'not authorized',
    transient: false,
  },
  { pattern: /EACCES/i, reason: 'permission denied', transient: false },
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
      parts.push(typeof current === 'string' ? current : (JSON.stringify(current) ?? typeof current));
      break;
    }
  }
  return parts.join(' | ');
}

/** gRPC's UNAVAILABLE: a server that is starting, restarting or overloaded answers so. */
const GRPC_UNAVAILABLE = 14;
const UNAVAILABLE: Cause = { pattern: /(?!)/, reason: 'the server is unavailable (starting up?)', transient: true };

/** The known cause behind an error from a connection attempt, or undefined when it is none of them. */
function knownCause(error: unknown): Cause | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (isGrpcServiceError(current) && (current.code as number) === GRPC_UNAVAILABLE) return UNAVAILABLE;
  }
  const text = messagesOf(error);
  return CAUSES.find((cause) => cause.pattern.test(text));
}

/**
 * The short reason behind an error from a connection attempt (a tonic transport error, a pg or
 * Node socket error, a gRPC status): what a person can act on, not the stack of layers it came through.
 */
export function describeCause(error: unknown): string {
  const known = knownCause(error);
  if (known) return known.reason;
  let innermost = error;
  while (innermost instanceof Error && innermost.cause !== undefined) innermost = innermost.cause;
  const first = (innermost instanceof Error ? innermost.message : String(innermost)).split('\n')[0]!.trim();
  return first.length > 200 ? `${first.slice(0, 200)}…` : first || 'unknown error';
}

/**
 * Whether waiting may help: connection refused, a timeout, a host name not resolvable yet, a database
 * that is starting up. A wrong password, a missing database or namespace, a bad TLS file will not heal.
 */
export function isTransient(error: unknown): boolean {
  return knownCause(error)?.transient ?? false;
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
