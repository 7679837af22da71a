import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { commandEnvSchema, envSchema, VARIABLE_ALIASES } from '../../src/config';

const doc = readFileSync(path.resolve(__dirname, '../../docs/configuration.md'), 'utf8');

describe('docs/configuration.md', () => {
  it('names every variable the worker and the commands read', () => {
    const variables = new Set([
      ...Object.keys(envSchema.shape),
      ...Object.keys(commandEnvSchema.shape),
      ...Object.keys(VARIABLE_ALIASES),
    ]);
    const source = /^TEMPORAL_SYNC_SOURCE_(.+)$/;
    const missing = [...variables].filter((name) => {
      if (doc.includes(`\`${name}\``)) return false;
      // The source's TEMPORAL_SYNC_SOURCE_X are listed once, as their X part ("`_TLS_SERVER_NAME`").
      const part = source.exec(name)?.[1];
      return part === undefined || !doc.includes(`\`_${part}\``);
    });
    assert.deepEqual(missing, []);
  });
});
