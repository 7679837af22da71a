import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { loadCommandConfig, type CommandConfig } from '../config';
import { startupWait } from '../startup-wait';
import { connectCliClient } from '../temporal/cli-client';
import { workflowLink } from '../temporal/web-ui';
import { parseSyncInput, type SyncInput } from '../workflows/input';
import { STREAM_NAMES } from '../streams/registry';
import type { SyncSummary } from '../workflows/sync-workflow';
import { runCommand, UsageError } from './run-command';

const HELP = `Usage: npm run sync -- [--mode full|incremental] [--streams STREAM,...]
                       [--namespace NAMESPACE] [--input JSON] [--id WORKFLOW_ID] [--wait]

Starts one SyncWorkflow now, on task queue TEMPORAL_SYNC_TASK_QUEUE (default temporal-sync) in
namespace TEMPORAL_NAMESPACE (else the profile's, else "default"), and prints its link in the Web UI
(TEMPORAL_SYNC_UI_URL, default http://localhost:8233). A worker must be running to pick it up.
A Temporal server that is not up yet is waited for, up to TEMPORAL_SYNC_STARTUP_WAIT_SECONDS
(default 60; 0: not at all).

  --mode M       full (read everything, mark what is gone) or incremental (default)
  --streams S    comma-separated, of: ${STREAM_NAMES.join(', ')} (default all)
  --namespace N  the namespace to sync, one of the namespaces definition's (default: the only one)
  --input JSON   any SyncWorkflow input, e.g. '{"pageSize":500}'; the options above override it
  --id ID        the workflow ID (default temporal-sync-manual-<mode>[-<namespace>]-<UTC time>-<random>)
  --wait         wait for the end: print the summary, or the failure and its cause
  -h, --help     this text

Exit status: 0 started (or, with --wait, completed), 1 failed or could not start, 2 bad command
line or environment. Interrupting --wait does not stop the sync.`;

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        mode: { type: 'string' },
        streams: { type: 'string' },
        namespace: { type: 'string' },
        input: { type: 'string' },
        id: { type: 'string' },
        wait: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
}

/** The input as the user gave it (defaults are the workflow's business), checked before starting. */
function buildInput(values: ReturnType<typeof parseCommandLine>['values']): SyncInput {
  let input: Record<string, unknown> = {};
  if (values.input !== undefined) {
    try {
      input = JSON.parse(values.input) as Record<string, unknown>;
    } catch {
      throw new UsageError('--input must be a JSON object, e.g. \'{"mode":"full"}\'');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new UsageError('--input must be a JSON object, e.g. \'{"mode":"full"}\'');
    }
  }
  if (values.mode !== undefined) input = { ...input, mode: values.mode };
  if (values.streams !== undefined) input = { ...input, streams: values.streams.split(',').map((s) => s.trim()) };
  if (values.namespace !== undefined) input = { ...input, namespace: values.namespace };
  const parsed = parseSyncInput(input);
  if (!parsed.ok) throw new UsageError(`bad SyncWorkflow input: ${parsed.problems.join('; ')}`);
  return input;
}

/** A namespace the definition does not list is caught here, before a run is started only to be refused. */
function checkNamespace(config: CommandConfig, namespace: string | undefined): void {
  const { defined, explicit, all } = config.namespaces;
  if (!defined || all.length > 0) return;
  const names = explicit.map((setup) => setup.namespace);
  if (namespace === undefined && names.length > 1) {
    throw new UsageError(`--namespace is required: the namespaces definition lists ${names.join(', ')}`);
  }
  if (namespace !== undefined && !names.includes(namespace)) {
    throw new UsageError(`--namespace ${namespace} is not in the namespaces definition (${names.join(', ')})`);
  }
}

/** Readable and sortable: what ran, when, and a few random characters so two starts never collide. */
function defaultWorkflowId(mode: string, namespace: string | undefined, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  const which = namespace === undefined ? mode : `${mode}-${namespace}`;
  return `temporal-sync-manual-${which}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW (the proto package is not a dependency of ours). */
const TASK_QUEUE_TYPE_WORKFLOW = 1;

async function hasWorkflowPollers(client: Client, taskQueue: string): Promise<boolean> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (response.pollers ?? []).length > 0;
}

function summaryLines(summary: SyncSummary): string[] {
  const streams = Object.entries(summary.streams).map(
    ([stream, counts]) =>
      `  ${stream}: ${counts.rows} row(s) in ${counts.pages} page(s)${counts.full ? ', full pass' : ''}` +
      `${counts.deleted > 0 ? `, ${counts.deleted} marked deleted` : ''}`,
  );
  return [
    `completed: ${summary.mode} sync in ${(summary.durationMs / 1000).toFixed(1)}s (sync_run ${summary.syncRunId}` +
      `${summary.continuedAsNew > 0 ? `, continued as new ${summary.continuedAsNew} time(s)` : ''})`,
    ...streams,
  ];
}

/** The failure and the chain of causes under it, innermost last, each with its type when it has one. */
function failureText(error: WorkflowFailedError): string {
  const parts: string[] = [];
  for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) {
    const type = cause instanceof ApplicationFailure && cause.type ? ` [${cause.type}]` : '';
    parts.push(`${cause.message}${type}`);
  }
  return parts.length > 0 ? parts.join(': caused by: ') : error.message;
}

async function main(): Promise<number> {
  const { values } = parseCommandLine(process.argv.slice(2));
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const input = buildInput(values);
  const config = loadCommandConfig();
  checkNamespace(config, input.namespace);
  const mode = input.mode ?? 'incremental';
  const workflowId = values.id ?? defaultWorkflowId(mode, input.namespace);
  const wait = startupWait(config.startupWaitSeconds, (line) => process.stderr.write(`sync: ${line}\n`));
  const { client, close } = await connectCliClient(config.temporal, config.namespace, wait);
  try {
    const handle = await client.workflow.start('SyncWorkflow', {
      taskQueue: config.taskQueue,
      workflowId,
      args: [input],
    });
    const link = workflowLink(config.uiUrl, config.namespace, workflowId);
    process.stdout.write(
      `started SyncWorkflow ${workflowId} (${mode}) on task queue "${config.taskQueue}" in namespace "${config.namespace}"\n${link}\n`,
    );
    if (!(await hasWorkflowPollers(client, config.taskQueue))) {
      process.stderr.write(
        `note: no worker is polling task queue "${config.taskQueue}" yet; the sync starts when one does (npm run worker)\n`,
      );
    }
    if (!values.wait) return 0;
    try {
      const summary = (await handle.result()) as SyncSummary;
      process.stdout.write(`${summaryLines(summary).join('\n')}\n`);
      return 0;
    } catch (error) {
      if (!(error instanceof WorkflowFailedError)) throw error;
      process.stderr.write(`sync: ${workflowId} failed: ${failureText(error)}\n`);
      return 1;
    }
  } finally {
    await close();
  }
}

runCommand('sync', main, { secrets: () => loadCommandConfig().secrets, help: 'npm run sync -- --help' });
