import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCron, renderCalendar } from '../../src/schedules/cron';
import { formatDuration, parseDuration } from '../../src/duration';
import { buildDefinitions, DefinitionError } from '../../src/schedules/load';

const context = { taskQueue: 'tq' };

function problemOf(sources: Parameters<typeof buildDefinitions>[0]): string {
  try {
    buildDefinitions(sources, context);
  } catch (error) {
    assert.ok(error instanceof DefinitionError, String(error));
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return error.message;
  }
  assert.fail('expected a DefinitionError');
}

describe('schedule definitions', () => {
  it('default to an hourly incremental sync, a daily full sync and a staleness check, complete with policies and workflow options', () => {
    const definitions = buildDefinitions({}, context);
    assert.deepEqual(
      definitions.map((d) => [d.id, d.workflowType, d.input, d.spec.cron, d.spec.timezone, d.taskQueue]),
      [
        ['temporal-sync-hourly-incremental', 'SyncWorkflow', { mode: 'incremental' }, '0 * * * *', 'UTC', 'tq'],
        ['temporal-sync-daily-full', 'SyncWorkflow', { mode: 'full' }, '30 3 * * *', 'UTC', 'tq'],
        ['temporal-sync-staleness-check', 'StalenessCheckWorkflow', {}, undefined, 'UTC', 'tq'],
      ],
    );
    assert.deepEqual(definitions[2]!.spec.interval, { every: 900_000, offset: 0 });
    const [hourly] = definitions;
    assert.equal(hourly!.workflowIdPrefix, 'temporal-sync-hourly-incremental');
    assert.deepEqual(hourly!.policies, { overlap: 'SKIP', catchupWindow: 3_600_000, pauseOnFailure: false });
    assert.equal(hourly!.spec.jitter, 60_000);
    assert.equal(hourly!.workflow.executionTimeout, 3_600_000);
    assert.equal(hourly!.workflow.retry.maximumAttempts, 3);
    assert.ok(hourly!.workflow.retry.nonRetryableErrorTypes.includes('InvalidSyncInput'));
  });

  it('lets a YAML file change one field of a built-in schedule and keep the rest', () => {
    const yaml = `
schedules:
  - id: temporal-sync-hourly-incremental
    spec: { cron: "*/30 * * * *" }
    policies: { overlap: BUFFER_ONE }
`;
    const [hourly, daily] = buildDefinitions({ file: { name: 'schedules.yaml', text: yaml } }, context);
    assert.equal(hourly!.spec.cron, '*/30 * * * *');
    assert.equal(hourly!.spec.jitter, 0, 'spec is replaced whole');
    assert.equal(hourly!.policies.overlap, 'BUFFER_ONE');
    assert.equal(hourly!.policies.catchupWindow, 3_600_000, 'other policies are kept');
    assert.deepEqual(hourly!.input, { mode: 'incremental' });
    assert.equal(daily!.spec.cron, '30 3 * * *');
  });

  it('adds new schedules, drops the defaults on request, and lays TEMPORAL_SYNC_SCHEDULES over the file', () => {
    const file = JSON.stringify({
      useDefaults: false,
      schedules: [
        { id: 'every-15m', spec: { interval: { every: '15m' } }, input: { streams: ['schedules'] } },
        { id: 'staleness', workflowType: 'StalenessCheckWorkflow', spec: { cron: '@daily' }, input: { anything: 1 } },
      ],
    });
    const inline = '{"schedules":[{"id":"every-15m","taskQueue":"other","workflow":{"runTimeout":"10m"}}]}';
    const definitions = buildDefinitions(
      { file: { name: 's.json', text: file }, inline },
      { taskQueue: 'tq', timezone: 'Europe/Berlin' },
    );
    assert.deepEqual(
      definitions.map((d) => d.id),
      ['every-15m', 'staleness'],
    );
    const [every, staleness] = definitions;
    assert.deepEqual(every!.spec.interval, { every: 900_000, offset: 0 });
    assert.equal(every!.spec.timezone, 'Europe/Berlin');
    assert.equal(every!.taskQueue, 'other');
    assert.equal(every!.workflow.runTimeout, 600_000);
    assert.equal(staleness!.workflowType, 'StalenessCheckWorkflow');
    assert.deepEqual(
      staleness!.input,
      { anything: 1 },
      'input of other workflow types is not checked as SyncWorkflow input',
    );
  });

  it('names the file, the field and the problem for a bad definition', () => {
    const file = (text: string) => ({ file: { name: 'schedules.yaml', text } });
    assert.equal(
      problemOf(file('schedules:\n  - id: x\n    spec: { cron: "61 * * * *" }\n')),
      'schedules.yaml: schedules[0].spec.cron: "61 * * * *": minute 61 is out of range 0-59',
    );
    assert.match(
      problemOf(file('schedules:\n  - id: x\n    spec: { cron: "0 * * * *" }\n    policies: { overlap: NEVER }\n')),
      /^schedules\.yaml: schedules\[0\]\.policies\.overlap: Invalid option: expected one of "SKIP"/,
    );
    assert.equal(
      problemOf(file('schedules:\n  - id: x\n    spec: { cron: "0 * * * *", interval: { every: 1h } }\n')),
      'schedules.yaml: schedules[0].spec: needs exactly one of cron (e.g. "0 * * * *") or interval (e.g. { every: 1h })',
    );
    assert.match(
      problemOf(file('schedules:\n  - id: x\n    spec: { interval: { every: soon } }\n')),
      /^schedules\.yaml: schedules\[0\]\.spec\.interval\.every: must be a duration like "90s"/,
    );
    assert.equal(
      problemOf(file('schedules:\n  - id: x\n    spec: { cron: "@daily", timezone: Mars/Olympus }\n')),
      'schedules.yaml: schedules[0].spec.timezone: must be an IANA time zone name, e.g. UTC or Europe/Berlin',
    );
    assert.equal(
      problemOf(file('schedules:\n  - id: x\n    spec: { cron: "@daily" }\n    input: { mode: fulll }\n')),
      'schedules.yaml: schedules[0].input.mode: Invalid option: expected one of "full"|"incremental"',
    );
    assert.equal(
      problemOf(file('schedules:\n  - id: x\n    spec: { cron: "@daily" }\n    input: { mdoe: full }\n')),
      'schedules.yaml: schedules[0].input: unknown SyncWorkflow input field "mdoe"',
    );
    assert.equal(
      problemOf(file('schedules:\n  - id: x\n    spec: { cron: "@daily" }\n    retyr: {}\n')),
      'schedules.yaml: schedules[0]: unknown field "retyr"',
    );
    assert.equal(
      problemOf(file('schedules:\n  - { id: a, spec: { cron: "@daily" } }\n  - { id: a, spec: { cron: "@daily" } }\n')),
      'schedules.yaml: schedules[1].id: "a" is defined twice',
    );
    assert.match(problemOf(file('schedules: [ {')), /^schedules\.yaml: not valid JSON or YAML: /);
    assert.equal(problemOf(file('schedule: []')), 'schedules.yaml: unknown field "schedule"');
    assert.equal(
      problemOf({ inline: 'schedules: [{ id: "no spaces please", spec: { cron: "@daily" } }]' }),
      'TEMPORAL_SYNC_SCHEDULES: schedules[0].id: must be letters, digits, ".", "_" or "-" (at most 200, starting with a letter or digit)',
    );
  });
});

describe('cron expressions', () => {
  it('parse into the value sets the server matches, and render back canonically', () => {
    const cases: Array<[string, string]> = [
      ['0 * * * *', '0 * * * *'],
      ['@hourly', '0 * * * *'],
      ['@daily', '0 0 * * *'],
      ['0 */1 * * *', '0 * * * *'],
      ['*/15 9-17 * * MON-FRI', '*/15 9-17 * * 1-5'],
      ['0 0 * * 7', '0 0 * * 0'],
      ['0 0 * * 5-7', '0 0 * * 0,5-6'],
      ['5,10,11,12 0 1 jan,Jul *', '5,10-12 0 1 */6 *'],
      ['0 0 1 jan,Mar *', '0 0 1 1,3 *'],
      ['0 1-23/2 * * *', '0 1-23/2 * * *'],
      ['30 3 * * *', '30 3 * * *'],
      ['*/30 * * * *', '*/30 * * * *'],
      ['0,30 * * * *', '*/30 * * * *'],
      ['5,10 * * * *', '5,10 * * * *'],
    ];
    for (const [cron, rendered] of cases) {
      const parsed = parseCron(cron);
      assert.ok(parsed.ok, cron);
      assert.equal(renderCalendar(parsed.calendar), rendered, cron);
    }
  });

  it('refuse what the server would refuse or read differently, saying what is wrong', () => {
    const problem = (cron: string) => {
      const parsed = parseCron(cron);
      assert.ok(!parsed.ok, cron);
      return parsed.problem;
    };
    assert.match(problem('0 * * *'), /must have five fields/);
    assert.match(problem('0 24 * * *'), /hour 24 is out of range 0-23/);
    assert.match(problem('0 0 * FOO *'), /"FOO" is not a valid month/);
    assert.match(problem('0 0 * * */0'), /bad step/);
    assert.match(problem('0 5-1 * * *'), /backwards range/);
  });
});

describe('durations', () => {
  it('read "1h30m"-style text or seconds, and print back the same way', () => {
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration(45), 45_000);
    assert.equal(parseDuration('2d'), 172_800_000);
    assert.equal(parseDuration('1.5h'), undefined);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration(-1), undefined);
    assert.equal(formatDuration(5_400_000), '1h30m');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(0), '0s');
  });
});
