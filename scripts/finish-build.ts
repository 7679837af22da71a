import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../src/sync-worker';
import { runCommand } from '../src/cli/run-command';

const USAGE = `Usage: npm run build

Compiles src/ to dist/ (tsc), then this step finishes the production build:
  - copies the SQL migrations to dist/db/migrations (tsc leaves them out);
  - bundles the workflow code once into dist/workflows.bundle.js, so a production worker starts
    without compiling it. The compiled worker (npm start) loads it from there, or from
    TEMPORAL_SYNC_WORKFLOW_BUNDLE when that is set.
A build tool, not part of dist/: it runs with tsx, which the build (dev dependencies) has.`;

const ROOT = path.resolve(__dirname, '..');
const DIST_ROOT = path.join(ROOT, 'dist');

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  await cp(path.join(ROOT, 'src', 'db', 'migrations'), path.join(DIST_ROOT, 'db', 'migrations'), { recursive: true });
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  const output = path.join(DIST_ROOT, 'workflows.bundle.js');
  await writeFile(output, code);
  process.stdout.write(`workflow bundle written to ${output} (${(code.length / 1024).toFixed(0)} KiB)\n`);
  return 0;
}

runCommand('finishing the build', main);
