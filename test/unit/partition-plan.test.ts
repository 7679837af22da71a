import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planPartitions } from '../../src/activities/partition-plan';

/**
 * A namespace in memory: executions with a start time and a status. `count` really evaluates the
 * visibility queries planning sends (the base query, optionally wrapped as `(base) AND <range>`, with
 * `StartTime >= '…'` and `StartTime < '…'` clauses) and fails on any other shape, so what planning
 * returns can be checked by running each partition's query over the same list.
 */
interface Execution {
  startMs: number;
  running: boolean;
}

const RUNNING = "ExecutionStatus = 'Running'";
const BASES: Record<string, (execution: Execution) => boolean> = {
  '': () => true,
  [RUNNING]: (execution) => execution.running,
};

const CLAUSE = /^StartTime (>=|<) '(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)'$/;

function compile(query: string): (execution: Execution) => boolean {
  let base: string | undefined;
  let range = '';
  if (query in BASES) base = query;
  else {
    for (const candidate of Object.keys(BASES)) {
      if (candidate !== '' && query.startsWith(`(${candidate}) AND `)) {
        base = candidate;
        range = query.slice(candidate.length + 7);
      }
    }
    if (base === undefined) {
      base = '';
      range = query;
    }
  }
  const matchesBase = BASES[base]!;
  const bounds = range === '' ? [] : range.split(' AND ');
  const tests = bounds.map((clause) => {
    const match = CLAUSE.exec(clause);
    assert.ok(match, `count got a query it cannot evaluate: ${JSON.stringify(query)}`);
    const at = Date.parse(match[2]!);
    return match[1] === '>=' ? (e: Execution) => e.startMs >= at : (e: Execution) => e.startMs < at;
  });
  assert.ok(tests.length <= 2, `more than two StartTime clauses in ${JSON.stringify(query)}`);
  return (execution) => matchesBase(execution) && tests.every((test) => test(execution));
}

function namespaceOf(executions: Execution[]) {
  const queries: string[] = [];
  return {
    queries,
    count: (query: string): Promise<number> => {
      queries.push(query);
      const matches = compile(query);
      return Promise.resolve(executions.filter(matches).length);
    },
  };
}

/** For each execution, the partitions whose query matches it. */
function partitionsHolding(partitions: string[], executions: Execution[]): number[][] {
  const compiled = partitions.map(compile);
  return executions.map((execution) => compiled.flatMap((matches, index) => (matches(execution) ? [index] : [])));
}

function assertEachInExactlyOne(partitions: string[], executions: Execution[]): void {
  const holding = partitionsHolding(partitions, executions);
  const wrong = holding.flatMap((held, index) =>
    held.length === 1 ? [] : [{ startMs: executions[index]!.startMs, held }],
  );
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} executions are not in exactly one partition`);
}

/** The StartTime boundaries the partitions' queries name, oldest first. */
function boundaries(partitions: string[]): number[] {
  const found = partitions.flatMap((query) =>
    [...query.matchAll(/StartTime (?:>=|<) '([^']+)'/g)].map((m) => Date.parse(m[1]!)),
  );
  return [...new Set(found)].sort((a, b) => a - b);
}

const BEFORE = new Date('2026-03-01T12:00:00.000Z');
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Deterministic pseudo-random numbers in [0, 1), so a failure can be run again as it was. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function uniformStarts(count: number, spanMs: number, seed = 1): Execution[] {
  const next = random(seed);
  return Array.from({ length: count }, () => ({
    startMs: BEFORE.getTime() - 1 - Math.floor(next() * spanMs),
    running: next() < 0.1,
  }));
}

describe('planPartitions: splitting a pass into StartTime ranges from counts', () => {
  it('keeps a small pass whole: the base query, unchanged, after one count', async () => {
    const source = namespaceOf(uniformStarts(1_500, 30 * DAY_MS));
    const partitions = await planPartitions(RUNNING, source.count, { partitions: 16, minRows: 1_000, before: BEFORE });
    assert.deepEqual(partitions, [RUNNING]);
    assert.deepEqual(source.queries, [RUNNING]);
  });

  it('keeps a pass whole when one partition is asked for, however big it is', async () => {
    const source = namespaceOf(uniformStarts(100_000, 30 * DAY_MS));
    assert.deepEqual(await planPartitions('', source.count, { partitions: 1, minRows: 1_000, before: BEFORE }), ['']);
  });

  it('splits 100k starts spread over 30 days into about the wanted number of ranges of about equal size', async () => {
    const executions = uniformStarts(100_000, 30 * DAY_MS);
    const source = namespaceOf(executions);
    const partitions = await planPartitions('', source.count, { partitions: 16, minRows: 1_000, before: BEFORE });
    const share = 100_000 / 16;

    // Ranges within 2x of the share make between half and twice the wanted number.
    assert.ok(partitions.length >= 8 && partitions.length <= 32, `${partitions.length} partitions for 16 wanted`);
    const sizes = partitions.map((query) => executions.filter(compile(query)).length);
    for (const [index, size] of sizes.entries()) {
      assert.ok(
        size >= share / 2 && size <= share * 2,
        `partition ${index} holds ${size} executions, more than 2x away from the share of ${share} (sizes: ${sizes.join(', ')})`,
      );
    }
    assert.match(partitions[0]!, /^StartTime < '[^']+'$/, 'the first range is open below');
    assert.match(partitions.at(-1)!, /^StartTime >= '[^']+'$/, 'the last range is open above');
    for (const middle of partitions.slice(1, -1))
      assert.match(middle, /^StartTime >= '[^']+' AND StartTime < '[^']+'$/);
  });

  it('puts every start in exactly one range, also starts right on a boundary and older or newer than all', async () => {
    const executions = uniformStarts(100_000, 30 * DAY_MS, 7);
    const partitions = await planPartitions('', namespaceOf(executions).count, {
      partitions: 16,
      minRows: 1_000,
      before: BEFORE,
    });
    assert.ok(partitions.length > 1);
    assertEachInExactlyOne(partitions, executions);

    // Runs the counts never saw: started on each boundary, a millisecond either side of it, far in the
    // past, and after the run began (visibility lag, or a clock ahead of the database's).
    const edges = boundaries(partitions).flatMap((at) => [at - 1, at, at + 1]);
    const unseen = [...edges, 0, Date.parse('1990-01-01T00:00:00Z'), BEFORE.getTime(), BEFORE.getTime() + HOUR_MS];
    assertEachInExactlyOne(
      partitions,
      unseen.map((startMs) => ({ startMs, running: false })),
    );
  });

  it('covers a skewed namespace (90% of the starts in the last hour) exactly once, in balanced ranges', async () => {
    const executions = [...uniformStarts(10_000, 30 * DAY_MS, 3), ...uniformStarts(90_000, HOUR_MS, 5)];
    const source = namespaceOf(executions);
    const partitions = await planPartitions('', source.count, { partitions: 16, minRows: 1_000, before: BEFORE });
    assertEachInExactlyOne(partitions, executions);
    assert.ok(partitions.length >= 8, `the last hour is split too: ${partitions.length} partitions`);
    const largest = Math.max(...partitions.map((query) => executions.filter(compile(query)).length));
    assert.ok(largest <= 2 * (100_000 / 16), `the largest partition holds ${largest} executions`);
  });

  it('wraps an incremental base query as (base) AND StartTime …, and the ranges cover exactly what the base matches', async () => {
    const executions = uniformStarts(200_000, 30 * DAY_MS, 11);
    const matching = executions.filter((execution) => execution.running);
    const source = namespaceOf(executions);
    const partitions = await planPartitions(RUNNING, source.count, { partitions: 8, minRows: 1_000, before: BEFORE });
    assert.ok(partitions.length > 1, `the ${matching.length} running executions are split`);
    for (const query of partitions) {
      assert.ok(query.startsWith(`(${RUNNING}) AND StartTime `), `wrapped: ${query}`);
    }
    for (const query of source.queries.slice(1))
      assert.ok(query.startsWith(`(${RUNNING}) AND `), `every count is within the base: ${query}`);
    assertEachInExactlyOne(partitions, matching);
    const outside = executions.filter((execution) => !execution.running).slice(0, 1_000);
    const held = partitionsHolding(partitions, outside).filter((list) => list.length > 0);
    assert.equal(held.length, 0, 'no partition reads executions the base query excludes');
  });

  it('makes at most maxCounts count calls, and what it found by then still covers everything once', async () => {
    const executions = uniformStarts(100_000, 30 * DAY_MS, 13);
    const overBudget: string[] = [];
    for (const maxCounts of [3, 5, 12, 20, 40]) {
      const source = namespaceOf(executions);
      const partitions = await planPartitions('', source.count, {
        partitions: 16,
        minRows: 1_000,
        before: BEFORE,
        maxCounts,
      });
      if (source.queries.length > maxCounts)
        overBudget.push(`maxCounts ${maxCounts}: ${source.queries.length} count calls`);
      assertEachInExactlyOne(partitions, executions);
    }
    assert.deepEqual(overBudget, [], 'count calls beyond maxCounts');
  });

  it('needs no more than the default budget of 200 counts for a large skewed namespace', async () => {
    const executions = [...uniformStarts(5_000, 365 * DAY_MS, 17), ...uniformStarts(95_000, 10 * 60_000, 19)];
    const source = namespaceOf(executions);
    const partitions = await planPartitions('', source.count, { partitions: 64, minRows: 1_000, before: BEFORE });
    assert.ok(source.queries.length <= 200, `${source.queries.length} count calls`);
    assertEachInExactlyOne(partitions, executions);
  });
});
