import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { loadCommandConfig, type CommandConfig } from '../config';
import { applySchedules } from '../schedules/apply';
import { overlapPolicySchema, type OverlapPolicy, type ScheduleDefinition } from '../schedules/definition';
import { schedulesForNamespaces } from '../schedules/namespaces';
import { createSourceClients, type UnlistedConnection } from '../temporal/sources';
import { PruneRefusedError } from '../schedules/errors';
import { redactSecrets } from '../redact';
import { parseDuration } from '../duration';
import { formatApply, formatDescription, formatList } from '../schedules/format';
import { loadScheduleDefinitions } from '../schedules/load';
import {
  backfillSchedule,
  deleteSchedules,
  describeSchedule,
  listSchedules,
  pauseSchedules,
  triggerSchedule,
  unpauseSchedules,
} from '../schedules/operations';
import { startupWait } from '../startup-wait';
import { connectCliClient, CONNECT_TIMEOUT_MS } from '../temporal/cli-client';
import { scheduleLink as webUiScheduleLink } from '../temporal/web-ui';
import { EXIT_CODES, runCommand, UsageError, type ExitCodes } from './run-command';

const HELP = `Usage: npm run schedules -- <verb> [options]
       node dist/cli/schedules.js <verb> [options]

Manages the temporal-sync schedules of the namespace TEMPORAL_NAMESPACE (else the profile's, else
"default").
Only schedules this command created (memo temporal-sync-managed: true) are ever changed.

Verbs:
  apply [--dry-run] [--prune] [--file F]
        create missing schedules, update those that differ (printing each changed field as
        old → new) and leave the rest; a second apply changes nothing. Paused state and note are
        kept. --dry-run prints the changes without making them; --prune also deletes managed
        schedules that are no longer defined.
  diff [--prune] [--file F]
        what apply would do, as apply --dry-run prints it (grouped by namespace with a namespaces
        definition); changes nothing. Exit status as diff(1) and git diff --exit-code: 0 nothing
        differs, 1 something differs, 2 trouble (bad definitions, server unreachable, a connection
        whose namespaces could not be listed).
  delete <id>... | delete --all       delete the named managed schedules, or all managed ones
  list [--all]                        managed schedules (--all: every schedule, marked)
  describe <id>...                    spec, policies, workflow options, state, recent runs
  pause <id>... [--note TEXT]         pause, saying why
  unpause <id>... [--note TEXT]       unpause, saying why
  trigger <id> [--overlap POLICY]     start the schedule's workflow now (POLICY default ALLOW_ALL)
  backfill <id> --start T --end T [--overlap POLICY]
        take the actions the schedule would have taken between T and T (ISO 8601, "now" or
        "now-2h"), all at once (POLICY default ALLOW_ALL)

POLICY is one of SKIP, BUFFER_ONE, BUFFER_ALL, CANCEL_OTHER, TERMINATE_OTHER, ALLOW_ALL.

Definitions: by default an hourly incremental and a daily full sync. A JSON or YAML file
(--file, or TEMPORAL_SYNC_SCHEDULES_FILE) and the variable TEMPORAL_SYNC_SCHEDULES (same format)
change or add to them; TEMPORAL_SYNC_SCHEDULE_TIMEZONE sets the time zone of those naming none.
The connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
TEMPORAL_PROFILE; workflows go to TEMPORAL_SYNC_TASK_QUEUE (default temporal-sync). A server that
is not up yet is waited for, up to TEMPORAL_SYNC_STARTUP_WAIT_SECONDS (default 60; 0: not at all).
With a namespaces definition (TEMPORAL_SYNC_NAMESPACES_FILE, TEMPORAL_SYNC_NAMESPACES), apply and diff
make each sync schedule once per namespace. When a connection of an \`all\` entry cannot list its
namespaces, apply applies the others, leaves that entry's schedules alone and exits 1, and --prune
refuses before changing anything (its namespaces are unknown, not removed).

Exit status: 0 done, 1 failed (server unreachable, unknown schedule, ...), 2 bad command line,
environment or definitions; diff: see above.`;

/** diff's exit status is diff(1)'s, so scripts can tell "differs" (1) from "could not tell" (2). */
const DIFF_EXIT_CODES: ExitCodes = { failed: 2, mustFix: 2 };

const VERB_OPTIONS: Record<string, readonly string[]> = {
  apply: ['dry-run', 'prune', 'file'],
  diff: ['prune', 'file'],
  delete: ['all'],
  list: ['all'],
  describe: [],
  pause: ['note'],
  unpause: ['note'],
  trigger: ['overlap'],
  backfill: ['start', 'end', 'overlap'],
};

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        'dry-run': { type: 'boolean' },
        prune: { type: 'boolean' },
        file: { type: 'string' },
        all: { type: 'boolean' },
        note: { type: 'string' },
        overlap: { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
}

function overlapOption(value: string | undefined): OverlapPolicy {
  const parsed = overlapPolicySchema.safeParse((value ?? 'ALLOW_ALL').toUpperCase());
  if (!parsed.success) throw new UsageError(`--overlap must be one of ${overlapPolicySchema.options.join(', ')}`);
  return parsed.data;
}

/** ISO 8601, "now", or "now-<duration>" (e.g. now-2h). */
function parseTime(option: string, value: string | undefined, now = new Date()): Date {
  if (value === undefined) throw new UsageError(`backfill needs --${option} (ISO 8601, "now" or e.g. "now-2h")`);
  const relative = /^now(?:-(.+))?$/.exec(value.trim());
  if (relative) {
    const ago = relative[1] === undefined ? 0 : parseDuration(relative[1]);
    if (ago !== undefined) return new Date(now.getTime() - ago);
  } else if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const time = new Date(value);
    if (!Number.isNaN(time.getTime())) return time;
  }
  throw new UsageError(
    `--${option} "${value}" is not a time: use ISO 8601 (2026-01-31T10:00:00Z), "now" or e.g. "now-2h"`,
  );
}

function requireIds(verb: string, ids: string[], max = Infinity): void {
  if (ids.length === 0) throw new UsageError(`${verb} needs a schedule ID`);
  if (ids.length > max) throw new UsageError(`${verb} takes one schedule ID`);
}

const print = (lines: string[]): void => {
  process.stdout.write(`${lines.join('\n')}\n`);
};

const scheduleLink = (config: CommandConfig, id: string) => webUiScheduleLink(config.uiUrl, config.namespace, id);

type Values = ReturnType<typeof parseCommandLine>['values'];

/** What one run does, checked before connecting: a bad command line or definition is reported even with no server. */
interface Plan {
  verb: string;
  ids: string[];
  values: Values;
  config: CommandConfig;
  definitions: ReturnType<typeof loadScheduleDefinitions>;
  overlap: OverlapPolicy;
  range: { start: Date; end: Date } | undefined;
}

function planRun(verb: string | undefined, ids: string[], values: Values): Plan {
  if (verb === undefined)
    throw new UsageError('missing verb: apply, diff, delete, list, describe, pause, unpause, trigger or backfill');
  const allowed = VERB_OPTIONS[verb];
  if (!allowed) throw new UsageError(`unknown verb "${verb}"`);
  const misplaced = Object.keys(values).filter((option) => !allowed.includes(option));
  if (misplaced.length > 0) throw new UsageError(`${verb} does not take --${misplaced.join(', --')}`);
  const config = loadCommandConfig();
  const applies = verb === 'apply' || verb === 'diff';
  const definitions = applies
    ? loadScheduleDefinitions({
        ...config.schedules,
        file: values.file ?? config.schedules.file,
        taskQueue: config.taskQueue,
      })
    : [];
  if (applies && ids.length > 0) throw new UsageError(`${verb} takes no schedule IDs; it compares every definition`);
  if (verb === 'delete' && values.all && ids.length > 0) throw new UsageError('delete takes IDs or --all, not both');
  if (verb === 'delete' && !values.all) requireIds(verb, ids);
  if (['describe', 'pause', 'unpause'].includes(verb)) requireIds(verb, ids);
  if (['trigger', 'backfill'].includes(verb)) requireIds(verb, ids, 1);
  const overlap = overlapOption(values.overlap);
  const range =
    verb === 'backfill' ? { start: parseTime('start', values.start), end: parseTime('end', values.end) } : undefined;
  if (range && range.start >= range.end) throw new UsageError('--start must be before --end');
  return { verb, ids, values, config, definitions, overlap, range };
}

/**
 * With a namespaces definition, every SyncWorkflow schedule once per namespace it lists (an `all` entry's
 * namespaces as its connection lists them now); without one, the definitions as they are.
 */
async function definitionsForNamespaces(
  config: CommandConfig,
  definitions: ScheduleDefinition[],
): Promise<{ definitions: ScheduleDefinition[]; unlisted: UnlistedConnection[] }> {
  if (!config.namespaces.defined) return { definitions, unlisted: [] };
  const sources = createSourceClients(config.namespaces, { connectTimeoutMs: CONNECT_TIMEOUT_MS });
  try {
    const { namespaces, unlisted } = await sources.namespaces();
    const targets = [];
    for (const namespace of namespaces) {
      targets.push({ namespace, overrides: (await sources.setupFor(namespace))?.overrides ?? {} });
    }
    return { definitions: schedulesForNamespaces(definitions, targets), unlisted };
  } finally {
    await sources.close();
  }
}

/**
 * apply, apply --dry-run and diff: one path, diff being a dry run whose exit status says whether
 * anything differs. Managed schedules of namespaces that could not be listed are never pruned.
 */
async function apply(client: Client, { verb, config, definitions: defined, values }: Plan): Promise<number> {
  const dryRun = verb === 'diff' || (values['dry-run'] ?? false);
  const prune = values.prune ?? false;
  const { definitions, unlisted } = await definitionsForNamespaces(config, defined);
  if (prune && unlisted.length > 0) throw new PruneRefusedError(unlisted.map((entry) => entry.problem));
  const changes = await applySchedules({ client, definitions, dryRun, prune });
  print([
    `schedules in namespace "${config.namespace}"${dryRun ? ' (dry run: nothing is changed)' : ''}:`,
    ...formatApply(changes, definitions, dryRun),
  ]);
  for (const { problem } of unlisted) {
    const line = `schedules: ${problem}; the schedules of its namespaces were left as they are`;
    process.stderr.write(`${redactSecrets(line, config.secrets)}\n`);
  }
  if (unlisted.length > 0) return exitCodes.failed;
  return verb === 'diff' && changes.length > 0 ? 1 : 0;
}

async function runVerb(client: Client, plan: Plan): Promise<void> {
  const { verb, ids, values, config, overlap, range } = plan;
  const id = ids[0]!;
  switch (verb) {
    case 'delete': {
      const deleted = await deleteSchedules(client, values.all ? { all: true } : { ids });
      return print(
        deleted.length > 0 ? deleted.map((deletedId) => `deleted ${deletedId}`) : ['no managed schedules to delete'],
      );
    }
    case 'list':
      return print(formatList(await listSchedules(client, { all: values.all ?? false }), values.all ?? false));
    case 'describe':
      for (const describedId of ids) print(formatDescription(await describeSchedule(client, describedId)));
      return;
    case 'pause':
    case 'unpause': {
      const note = values.note ?? `${verb}d with npm run schedules at ${new Date().toISOString()}`;
      await (verb === 'pause' ? pauseSchedules : unpauseSchedules)(client, ids, note);
      return print(ids.map((changedId) => `${verb}d ${changedId} (note: ${note})`));
    }
    case 'trigger':
      await triggerSchedule(client, id, overlap);
      return print([`triggered ${id} (overlap ${overlap}); its run shows at ${scheduleLink(config, id)}`]);
    case 'backfill':
      await backfillSchedule(client, id, { ...range!, overlap });
      return print([
        `backfilled ${id} from ${range!.start.toISOString()} to ${range!.end.toISOString()} (overlap ${overlap}); runs show at ${scheduleLink(config, id)}`,
      ]);
  }
}

/** Set once the verb is known: a failure of diff exits with diff's code. */
let exitCodes = EXIT_CODES;

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(process.argv.slice(2));
  const [verb, ...ids] = positionals;
  if (verb === 'diff') exitCodes = DIFF_EXIT_CODES;
  if (values.help || verb === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const plan = planRun(verb, ids, values);
  const { config } = plan;
  const wait = startupWait(config.startupWaitSeconds, (line) => process.stderr.write(`schedules: ${line}\n`));
  const cli = await connectCliClient(config.temporal, config.namespace, wait);
  try {
    if (plan.verb === 'apply' || plan.verb === 'diff') return await apply(cli.client, plan);
    await runVerb(cli.client, plan);
    return 0;
  } finally {
    await cli.close();
  }
}

runCommand('schedules', main, {
  secrets: () => loadCommandConfig().secrets,
  help: 'npm run schedules -- --help',
  exitCodes: () => exitCodes,
});
