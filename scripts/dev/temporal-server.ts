import path from 'node:path';
import { Connection } from '@temporalio/client';
import { logTail, spawnChild, type ChildProcess } from './child';
import { DEV_NAMESPACES } from './first-sync';

export interface TemporalServerOptions {
  cliPath: string;
  port: number;
  uiPort: number;
  dataDir: string;
  env: NodeJS.ProcessEnv;
}

/** The dev server keeps its state in a SQLite file in the data folder, so executions survive a restart. */
export function startTemporalServer(options: TemporalServerOptions): ChildProcess {
  return spawnChild({
    name: 'Temporal dev server',
    command: options.cliPath,
    args: [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--ui-port',
      String(options.uiPort),
      '--db-filename',
      path.join(options.dataDir, 'temporal.db'),
      // The dev worker syncs every namespace of the server: default and this one.
      ...DEV_NAMESPACES.filter((namespace) => namespace !== 'default').flatMap((namespace) => [
        '--namespace',
        namespace,
      ]),
    ],
    env: options.env,
    cwd: options.dataDir,
    logFile: path.join(options.dataDir, 'logs', 'temporal.log'),
  });
}

/** Ready when the frontend answers for the default namespace (the port opens a little before that). */
export async function waitForTemporal(
  server: ChildProcess,
  address: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (signal.aborted) throw new Error('stopped');
    if (!server.running()) {
      throw new Error(`${server.name} exited early; its log (${server.logFile}) ends:\n${logTail(server.logFile)}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2 seconds' });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`Temporal dev server not ready after ${timeoutMs / 1000} s (${lastError}); see ${server.logFile}`);
}
