import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const HELP = `Usage: npm test [-- <part>...]

Runs the test suite with node's test runner: unit tests need nothing; integration, workflow and
replay tests start their own Temporal dev server (the temporal CLI, built once per machine) and use
the Postgres at TEST_DATABASE_URL (default postgres://root@127.0.0.1:5432/test), each in a schema of
its own that is dropped afterwards.

<part> narrows the run to test files whose path contains it, e.g. 'npm test -- unit'.`;

function testFiles(directory: string): string[] {
  return readdirSync(directory)
    .flatMap((entry) => {
      const full = path.join(directory, entry);
      if (statSync(full).isDirectory()) return testFiles(full);
      return entry.endsWith('.test.ts') ? [full] : [];
    })
    .sort();
}

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const files = testFiles('test').filter((file) => args.length === 0 || args.some((part) => file.includes(part)));
if (files.length === 0) {
  process.stderr.write(`no test files match ${args.join(' ')}\n`);
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
const forward = (signal: NodeJS.Signals) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
