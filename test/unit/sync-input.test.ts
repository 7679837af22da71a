import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSyncInput } from '../../src/workflows/input';

function problems(raw: unknown): string[] {
  const result = parseSyncInput(raw);
  assert.equal(result.ok, false);
  return result.ok ? [] : result.problems;
}

describe('SyncWorkflow input', () => {
  it('runs with defaults from nothing, null or {}', () => {
    for (const raw of [undefined, null, {}]) {
      const result = parseSyncInput(raw);
      assert.ok(result.ok);
      assert.equal(result.input.mode, 'incremental');
      assert.equal(result.input.streams, undefined, 'every stream of the registry, as planning decides');
      // Unset: the namespace's own, else the worker's defaults (planning decides, not the input).
      assert.equal(result.input.partitions, undefined);
      assert.equal(result.input.pageSize, undefined);
    }
  });

  it('names each bad field with the value it got', () => {
    assert.deepEqual(problems({ mode: 'fulll' }), [
      'mode: Invalid option: expected one of "full"|"incremental" (got "fulll")',
    ]);
    assert.match(problems({ pageSize: 0 })[0]!, /^pageSize: .* \(got 0\)$/);
    assert.match(problems({ pageSize: 1.5 })[0]!, /^pageSize: /);
    assert.match(problems({ streams: ['workflows', ''] })[0]!, /^streams\.1: .*\(got ""\)$/);
    assert.match(problems({ partitions: 0 })[0]!, /^partitions: /);
    assert.match(problems({ visibilityRps: 0.5 })[0]!, /^visibilityRps: /);
    assert.match(
      problems({ continueRun: { syncRunId: 'x' } })[0]!,
      /^continueRun\.syncRunId: must be the ID of a sync_run record/,
    );
    assert.match(problems({ streams: [] })[0]!, /^streams: must name at least one stream/);
    assert.match(problems({ lookbackSeconds: -1 })[0]!, /^lookbackSeconds: /);
  });

  it('refuses unknown fields, so a typo does not run with defaults', () => {
    assert.deepEqual(problems({ mdoe: 'full' }), ['unknown field "mdoe"']);
  });

  it('refuses the continue-as-new state of earlier versions, saying why', () => {
    assert.match(
      problems({ continuation: { syncRunId: '2' } })[0]!,
      /^unknown field "continuation" \(it held the continue-as-new state/,
    );
  });

  it('refuses input that is not an object', () => {
    assert.match(problems('full')[0]!, /^\(input\): .*\(got "full"\)$/);
    assert.match(problems([1])[0]!, /^\(input\): /);
  });

  it('drops repeated streams', () => {
    const result = parseSyncInput({ streams: ['schedules', 'schedules'] });
    assert.ok(result.ok);
    assert.deepEqual(result.input.streams, ['schedules']);
  });
});
