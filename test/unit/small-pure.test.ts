import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quoteIdent } from '../../src/db/identifiers';
import { copyText, type TableSpec } from '../../src/db/rows';
import { LosslessInteger } from '../../src/json';
import { redactSecrets } from '../../src/redact';
import { incrementalQuery } from '../../src/source/visibility-query';
import { timestampToIso } from '../../src/source/time';

describe('small pure helpers', () => {
  it('builds the incremental visibility query with the look-back applied', () => {
    assert.equal(
      incrementalQuery(new Date('2026-01-01T10:00:00Z'), 300),
      "ExecutionStatus = 'Running' OR CloseTime >= '2026-01-01T09:55:00.000Z'",
    );
  });

  it('redacts secrets and any password in a connection string', () => {
    assert.equal(redactSecrets('key abc123xyz-0987 failed', ['abc123xyz-0987']), 'key [redacted] failed');
    assert.equal(
      redactSecrets('connect postgres://u:whatever@h:5432/db refused', []),
      'connect postgres://u:[redacted]@h:5432/db refused',
    );
  });

  it('quotes identifiers so no name can break out of them', () => {
    assert.equal(quoteIdent('a"b'), '"a""b"');
    assert.throws(() => quoteIdent('a\u0000'));
  });

  it("writes a page in COPY's text format: NULL as \\N, reserved characters escaped, NUL replaced, big integers exact", () => {
    type Row = { id: string; note: string | null; data: unknown; n: number; ok: boolean };
    const spec: TableSpec<Row> = {
      table: 't',
      columns: [
        ['id', 'text'],
        ['note', 'text'],
        ['data', 'jsonb'],
        ['n', 'bigint'],
        ['ok', 'boolean'],
      ],
      key: ['id'],
      staleWhen: 'false',
    };
    const text = copyText(spec, [
      {
        id: 'a\tb\nc\\d',
        note: null,
        data: { big: new LosslessInteger('9007199254740993'), s: 'x\ty' },
        n: 5,
        ok: true,
      },
      { id: 'nul\u0000', note: 'r\r', data: null, n: -1, ok: false },
    ]);
    assert.equal(
      text,
      'a\\tb\\nc\\\\d\t\\N\t{"big":9007199254740993,"s":"x\\\\ty"}\t5\tt\n' + 'nul\u2400\tr\\r\t\\N\t-1\tf\n',
    );
  });

  it('reads a zero timestamp as absent', () => {
    assert.equal(timestampToIso({ seconds: 0, nanos: 0 } as never), null);
  });
});
