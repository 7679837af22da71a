import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quoteIdent } from '../../src/db/identifiers';
import { workflowTable } from '../../src/db/tables';
import { buildUpsertSql } from '../../src/db/upsert';
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

  it('upserts a page in one statement where a running view never overwrites a closed one, nor an earlier read a later one', () => {
    const sql = buildUpsertSql('temporal_sync', workflowTable);
    assert.match(sql, /^INSERT INTO "temporal_sync"\."workflow" AS t/);
    assert.match(sql, /jsonb_to_recordset\(\$1::jsonb\)/);
    assert.match(sql, /ON CONFLICT \("namespace", "workflow_id", "run_id"\) DO UPDATE/);
    assert.match(
      sql,
      /"status" = CASE WHEN \(t\.close_time IS NOT NULL AND excluded\.close_time IS NULL\)\s+OR .*excluded\.read_at < t\.read_at\) THEN t\."status"/s,
    );
  });

  it('reads a zero timestamp as absent', () => {
    assert.equal(timestampToIso({ seconds: 0, nanos: 0 } as never), null);
  });
});
