import type { Logger, LogLevel, LogMetadata } from '@temporalio/common';
import pino from 'pino';
import { redactSecrets } from '../redact';

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Values replaced by [redacted] in every message and field. */
  secrets: readonly string[];
  /** Where lines go; standard output unless a test captures them. */
  write?: (line: string) => void;
}

const PINO_LEVELS: Record<LogLevel, pino.Level> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};
const RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };
const MAX_DEPTH = 6;
/** Fields whose value is a secret whatever it looks like (a pg config object, a connection option). */
const SECRET_FIELD = /^(?:password|passwd|secret|api[_-]?key|authorization|client[_-]?key(?:[_-]?data)?)$/i;

/**
 * Makes log fields safe and printable: secrets redacted in every string and under every secret field
 * name, errors reduced to their name and message, symbol keys (the SDK's internal timestamp) and deep
 * nesting dropped.
 */
export function sanitizeFields(value: unknown, redact: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message) };
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((item) => sanitizeFields(item, redact, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] = SECRET_FIELD.test(key) && item !== undefined ? '[redacted]' : sanitizeFields(item, redact, depth + 1);
  }
  return result;
}

function prettyLine(level: LogLevel, message: string, fields: Record<string, unknown>): string {
  const details = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${new Date().toISOString()} ${level.padEnd(5)} ${message}${details ? `  ${details}` : ''}\n`;
}

/**
 * The one logger of the process, given to the SDK's Runtime: the SDK's own messages, the Core's
 * (forwarded), the workflow and activity context loggers (which add workflowId, runId, activityType
 * and the like as fields) and ours all come out the same way: one JSON object per line (pino), or a
 * readable line in a terminal. Secrets never get through.
 */
export function createLogger(options: LoggerOptions): Logger {
  const redact = (text: string) => redactSecrets(text, options.secrets);
  const minimum = RANK[options.level];
  let emit: (level: LogLevel, message: string, fields: Record<string, unknown>) => void;
  if (options.format === 'json') {
    const write = options.write;
    const destination = write ? { write } : pino.destination({ dest: 1, sync: true });
    const json = pino(
      {
        level: PINO_LEVELS[options.level],
        base: { service: 'temporal-sync' },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      destination,
    );
    emit = (level, message, fields) => json[PINO_LEVELS[level]](fields, message);
  } else {
    const write = options.write ?? ((line: string) => process.stdout.write(line));
    emit = (level, message, fields) => write(prettyLine(level, message, fields));
  }
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    if (RANK[level] < minimum) return;
    const fields = (meta ? sanitizeFields(meta, redact) : {}) as Record<string, unknown>;
    emit(level, redact(message), fields);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
