import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { log } from './stats';

const ROOT = path.resolve(__dirname, '../..');

/** Writes a bench's figures as JSON in bench/results/ (not committed), named by time and `label`. */
export function writeResults(label: string, results: Record<string, unknown>): void {
  const directory = path.join(ROOT, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${new Date().toISOString().replace(/[:.]/g, '-')}-${label}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`results written to ${path.relative(ROOT, file)}`);
}

/** Runs a bench's main and exits with its code; a failure is one line, with its cause. */
export function runBench(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}${cause}\n`);
      process.exit(1);
    },
  );
}
