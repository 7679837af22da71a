import { ConfigError } from '../config';
import { redactSecrets } from '../redact';
import { DefinitionError } from '../schedules/load';

/** The command line itself is wrong: print the problem and point at --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit 2 for what the user must fix in the command line, environment or definitions; 1 for the rest. */
function exitCodeOf(error: unknown): number {
  return error instanceof UsageError || error instanceof ConfigError || error instanceof DefinitionError ? 2 : 1;
}

/**
 * Runs a command's main function: its result is the exit code; an error becomes one line on stderr
 * (a config error, one line per bad variable) with every known secret redacted.
 */
export function runCommand(name: string, main: () => Promise<number>, secrets: () => readonly string[]): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      let text: string;
      if (error instanceof ConfigError) text = error.problems.map((problem) => `${name}: ${problem}`).join('\n');
      else {
        const message = error instanceof Error ? error.message : String(error);
        text = `${name}: ${message.split('\n')[0]}`;
        if (error instanceof UsageError) text += ` (see npm run ${name} -- --help)`;
      }
      let known: readonly string[] = [];
      try {
        known = secrets();
      } catch {
        // a bad environment has no secrets we could name; ConfigError never echoes values anyway
      }
      process.stderr.write(`${redactSecrets(text, known)}\n`);
      process.exit(exitCodeOf(error));
    },
  );
}
