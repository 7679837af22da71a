import { runCommand } from '../src/cli/run-command';
import { obtainTemporalCli } from './temporal-cli-binary';

const HELP = `Usage: npm run temporal-cli

Prints the path of a temporal CLI, building it once per machine when none is found. Looks at
TEMPORAL_CLI_PATH, then 'temporal' on PATH, then the cache (~/.cache/temporal-sync/bin), then
builds it with 'go install'. Exits 1 when none can be had.`;

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const cli = await obtainTemporalCli();
  if (!cli) {
    process.stderr.write(
      'no temporal CLI found and Go is not installed: install Go, or set TEMPORAL_CLI_PATH to a temporal binary\n',
    );
    return 1;
  }
  process.stdout.write(`${cli.path}\n`);
  process.stderr.write(`temporal CLI from ${cli.source}: ${cli.path}\n`);
  return 0;
}

runCommand('temporal-cli', main);
