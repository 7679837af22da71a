import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from '../../src/cli/run-command';
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

/** Runs a bench's main and exits with its code; a failure is one line, as every command's is. */
export function runBench(main: () => Promise<number>): void {
  runCommand('bench', main);
}
