import { Client } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { lenientDecodingCodec } from '../../src/source/lenient-codec';
import { obtainTemporalCli } from '../../scripts/temporal-cli-binary';

/** The namespace the tests sync from; the sync worker itself runs in `default`. */
export const SOURCE_NAMESPACE = 'sync-source';

export const searchAttributes = {
  keyword: defineSearchAttributeKey('CustomKeyword', SearchAttributeType.KEYWORD),
  text: defineSearchAttributeKey('CustomText', SearchAttributeType.TEXT),
  int: defineSearchAttributeKey('CustomInt', SearchAttributeType.INT),
  double: defineSearchAttributeKey('CustomDouble', SearchAttributeType.DOUBLE),
  bool: defineSearchAttributeKey('CustomBool', SearchAttributeType.BOOL),
  datetime: defineSearchAttributeKey('CustomDatetime', SearchAttributeType.DATETIME),
  keywordList: defineSearchAttributeKey('CustomKeywordList', SearchAttributeType.KEYWORD_LIST),
};

export interface TestTemporal {
  env: TestWorkflowEnvironment;
  address: string;
  /** A client of the source namespace, for seeding and for reading what the server reports. */
  sourceClient: Client;
  /** A client of the worker's namespace, for starting SyncWorkflow. */
  client: Client;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/** Worker state changes at INFO would bury the test report; warnings and errors still show. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/**
 * The dev server's executable by the project's order: a local temporal CLI (TEMPORAL_CLI_PATH, PATH,
 * the cache, a go install), and last the SDK's own download, when none is found and Go cannot build one.
 */
export async function devServerExecutable(): Promise<
  { type: 'existing-path'; path: string } | { type: 'cached-download' }
> {
  const cli = await obtainTemporalCli().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\nfalling back to the SDK's download of the dev server\n`);
    return undefined;
  });
  return cli ? { type: 'existing-path', path: cli.path } : { type: 'cached-download' };
}

/**
 * Starts a Temporal dev server of its own (the local CLI, or the SDK's download where none can be
 * had) with a source namespace and every custom search attribute type registered; on `port` when
 * given (a port a process was told to use before anything listened there), else a free one.
 */
export async function startTemporal(
  extraArgs: string[] = [],
  options: { uiPort?: number; port?: number } = {},
): Promise<TestTemporal> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: await devServerExecutable(),
      ip: '127.0.0.1',
      ...(options.port === undefined ? {} : { port: options.port }),
      searchAttributes: Object.values(searchAttributes),
      extraArgs: ['--namespace', SOURCE_NAMESPACE, ...extraArgs],
      log: { format: 'pretty', level: 'error' },
      // The Web UI only for the browser test: it costs start-up time.
      ...(options.uiPort === undefined ? {} : { ui: true, uiPort: options.uiPort }),
    },
  });
  const sourceClient = new Client({
    connection: env.connection,
    namespace: SOURCE_NAMESPACE,
    dataConverter: { payloadCodecs: [lenientDecodingCodec] },
  });
  return {
    env,
    address: env.address,
    sourceClient,
    client: env.client,
    stop: () => env.teardown(),
  };
}

/**
 * The PID of this test's dev server: the child of this process (the SDK spawns it) whose command line
 * names the server's port. Found, never guessed by name, so only the process this test started is signalled.
 */
export async function devServerPid(temporal: TestTemporal): Promise<number> {
  const { readdir, readFile } = await import('node:fs/promises');
  const port = temporal.address.split(':').at(-1)!;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent !== process.pid) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args.includes('start-dev') && args.includes(port)) return Number(entry);
  }
  throw new Error(`no dev server child of ${process.pid} listens on port ${port}`);
}

/** Stops the dev server's process for `ms` (SIGSTOP, then SIGCONT): to the scheduler, a server that was down. */
export async function freezeDevServer(temporal: TestTemporal, ms: number): Promise<void> {
  const pid = await devServerPid(temporal);
  process.kill(pid, 'SIGSTOP');
  try {
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}
