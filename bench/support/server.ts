import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { lenientDecodingCodec } from '../../src/source/lenient-codec';
import { devServerExecutable, searchAttributes } from '../../test/helpers/temporal';

/** One namespace per seed size, all in one file: the 5×N seed of a small run is the N seed of a larger one. */
export const namespaceFor = (executions: number): string => `bench-${executions}`;

export interface BenchServer {
  env: TestWorkflowEnvironment;
  address: string;
  dbFile: string;
  /** A client of the worker's namespace (`default`), for starting SyncWorkflow. */
  client: Client;
  sourceClient(namespace: string): Client;
  stop(): Promise<void>;
}

/** Outside the repository, so a seed survives checkouts and is reused by the next run. */
export function benchDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'temporal-sync', 'bench');
}

/**
 * Starts a dev server on a persistent SQLite file, so executions seeded by an earlier run are still
 * there. Writes skip fsync (synchronous=OFF): the file is a cache of generated data, and seeding is
 * otherwise bound by the disk. Reads, and so every measurement, run with the server's defaults.
 */
export async function startBenchServer(namespaces: string[], directory = benchDataDir()): Promise<BenchServer> {
  mkdirSync(directory, { recursive: true });
  const dbFile = path.join(directory, 'seed.sqlite');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: await devServerExecutable(),
      ip: '127.0.0.1',
      dbFilename: dbFile,
      searchAttributes: Object.values(searchAttributes),
      extraArgs: [
        ...namespaces.flatMap((namespace) => ['--namespace', namespace]),
        ...['journal_mode=WAL', 'synchronous=OFF'].flatMap((pragma) => ['--sqlite-pragma', pragma]),
      ],
      log: { format: 'pretty', level: 'error' },
    },
  });
  return {
    env,
    address: env.address,
    dbFile,
    client: env.client,
    sourceClient: (namespace) =>
      new Client({ connection: env.connection, namespace, dataConverter: { payloadCodecs: [lenientDecodingCodec] } }),
    stop: () => env.teardown(),
  };
}
