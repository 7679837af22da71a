import { runCommand } from '../src/cli/run-command';
import { redactSecrets } from '../src/redact';
import { DEV_HELP, DevOptionsError, readDevOptions } from './dev/options';
import { DevStack, DevStackError, formatReport } from './dev/stack';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  let options;
  try {
    options = readDevOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof DevOptionsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (options.help) {
    say(DEV_HELP);
    return 0;
  }

  say(`temporal-sync dev stack (pid ${process.pid}), data folder ${options.dataDir}`);
  const stack = new DevStack(options, say);
  const stopRequested = new AbortController();
  let stopped: Promise<void> | undefined;
  const stopOnce = () => (stopped ??= stack.stop());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopRequested.signal.aborted) return;
      say(`${signal}: stopping everything the dev stack started`);
      stopRequested.abort();
    });
  }
  const stopSignal = new Promise<void>((resolve) => stopRequested.signal.addEventListener('abort', () => resolve()));

  const starting = stack.start(stopRequested.signal);
  // After a stop request the steps still under way fail as their processes go; nothing to report.
  starting.catch(() => {});
  try {
    const report = await Promise.race([starting, stopSignal.then(() => undefined)]);
    if (report) say(formatReport(report));
  } catch (error) {
    if (!stopRequested.signal.aborted) {
      const message = error instanceof Error ? error.message : String(error);
      const password = options.databaseUrl ? decodeURIComponent(new URL(options.databaseUrl).password) : '';
      const shown = redactSecrets(message, password.length > 0 ? [password] : []);
      process.stderr.write(`${error instanceof DevStackError ? '' : 'dev stack failed: '}${shown}\n`);
      await stopOnce();
      return 1;
    }
  }

  const outcome = await Promise.race([stopSignal.then(() => undefined), stack.firstExit()]);
  if (outcome && !stopRequested.signal.aborted) {
    process.stderr.write(
      `${outcome.child.name} (pid ${outcome.child.pid}) exited on its own with code ${outcome.code}; see ${outcome.child.logFile}\n`,
    );
    await stopOnce();
    return 1;
  }
  await stopOnce();
  say('dev stack stopped');
  return 0;
}

runCommand('dev stack', main);
