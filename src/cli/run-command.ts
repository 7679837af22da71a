import { ConfigError } from '../config';
import { redactSecrets } from '../redact';
import { DefinitionError } from '../definition-text';

/** The command line itself is wrong: print the problem and point at --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The one exit-code rule of the worker, the commands and the scripts: 0 done, 1 failed while running
 * (a server unreachable after the start-up wait, a step that failed), 2 something to fix before running
 * again (the command line, a setting, a schedule definition). `npm run status` answers a monitoring
 * system, whose convention gives 2 another meaning (failing), so it maps both to 3 (unknown).
 */
export interface ExitCodes {
  failed: number;
  mustFix: number;
}

export const EXIT_CODES: ExitCodes = { failed: 1, mustFix: 2 };

export interface CommandOptions {
  /** Values to redact from the message; asked for only on failure (the settings may be what failed). */
  secrets?: () => readonly string[];
  /** A function when they depend on what main found on the command line (`schedules diff` has its own). */
  exitCodes?: ExitCodes | (() => ExitCodes);
  /** Where a bad command line is pointed to, e.g. "npm run sync -- --help". */
  help?: string;
}

const mustFix = (error: unknown) =>
  error instanceof UsageError || error instanceof ConfigError || error instanceof DefinitionError;

/** The lines a failure leaves on stderr: one per bad setting, else one, each starting with the command's name. */
function failureLines(name: string, error: unknown, help: string | undefined): string[] {
  if (error instanceof ConfigError) return error.problems.map((problem) => `${name}: ${problem}`);
  const message = error instanceof Error ? error.message : String(error);
  const line = `${name}: ${message.split('\n')[0]!.trim()}`;
  return error instanceof UsageError && help !== undefined ? [`${line} (see ${help})`] : [line];
}

function knownSecrets(secrets: CommandOptions['secrets']): readonly string[] {
  try {
    return secrets?.() ?? [];
  } catch {
    // Bad settings name no secret we could look for; what they print is redacted by structure anyway.
    return [];
  }
}

/**
 * Runs an entry point's main function to its end: its result is the exit code; a failure becomes
 * one line on stderr (a line per bad setting), secrets redacted, and the exit code of EXIT_CODES.
 * The process exits even when something (a hung socket) would keep it alive.
 */
export function runCommand(name: string, main: () => Promise<number>, options: CommandOptions = {}): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const codes = (typeof options.exitCodes === 'function' ? options.exitCodes() : options.exitCodes) ?? EXIT_CODES;
      const text = failureLines(name, error, options.help).join('\n');
      process.stderr.write(`${redactSecrets(text, knownSecrets(options.secrets))}\n`);
      process.exit(mustFix(error) ? codes.mustFix : codes.failed);
    },
  );
}
