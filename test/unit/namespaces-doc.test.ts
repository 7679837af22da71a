import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config';
import { parseDefinitionDocument } from '../../src/definition-text';
import { namespacesFileSchema, type ConnectionDefinition } from '../../src/namespaces/definition';

const doc = readFileSync(path.resolve(__dirname, '../../docs/namespaces.md'), 'utf8');

/** The fenced YAML block right after the `<!-- cloud-example ... -->` marker. */
function cloudExample(): string {
  const marker = doc.indexOf('<!-- cloud-example');
  assert.ok(marker >= 0, 'docs/namespaces.md has the cloud-example marker');
  const block = /```yaml\n([\s\S]*?)\n```/.exec(doc.slice(marker));
  assert.ok(block, 'a ```yaml block follows the marker');
  return block[1]!;
}

/** Every variable a definition names for a secret: API keys and codec authorizations. */
function secretVariables(text: string): string[] {
  const document = parseDefinitionDocument(text, 'docs/namespaces.md', namespacesFileSchema);
  const connections: ConnectionDefinition[] = [
    ...Object.values(document.connections ?? {}),
    ...document.namespaces.flatMap((entry) => (typeof entry.connection === 'object' ? [entry.connection] : [])),
  ];
  const codecs = [...connections.map((c) => c.codec), ...document.namespaces.map((entry) => entry.codec)];
  return [
    ...connections.flatMap((c) => (c.apiKeyEnv ? [c.apiKeyEnv] : [])),
    ...codecs.flatMap((codec) => (codec?.authEnv ? [codec.authEnv] : [])),
  ];
}

describe('docs/namespaces.md: the Temporal Cloud example', () => {
  const text = cloudExample();
  // Values only this test knows: they must come from the environment, not from the block.
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: 'postgres://root@127.0.0.1:5432/test',
    TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233',
    TEMPORAL_NAMESPACE: 'ops.a1b2c',
    TEMPORAL_SYNC_NAMESPACES: text,
  };
  const values = new Map(secretVariables(text).map((name, i) => [name, `doc-test-secret-${i}-${name.toLowerCase()}`]));
  for (const [name, value] of values) env[name] = value;

  it('loads with the real configuration loader: three namespaces, no `all` entry', () => {
    const { namespaces } = loadConfig(env);
    assert.equal(namespaces.defined, true);
    assert.deepEqual(
      namespaces.explicit.map((setup) => setup.namespace),
      ['payments-prod.a1b2c', 'payments-staging.a1b2c', 'orders-prod.a1b2c'],
    );
    assert.deepEqual(namespaces.all, []);
    const staging = namespaces.explicit[1]!;
    assert.deepEqual(staging.overrides.schedules, { incremental: '*/30 * * * *', full: '0 5 * * 0' });
    assert.equal(namespaces.explicit[2]!.codec?.endpoint, 'https://codec.orders.example.com');
  });

  it('reads the three namespaces through two API keys, each named by a variable of its own', () => {
    const { namespaces } = loadConfig(env);
    const document = parseDefinitionDocument(text, 'docs/namespaces.md', namespacesFileSchema);
    const used = new Set(namespaces.explicit.map((setup) => setup.connection));
    assert.equal(used.size, 2, 'two connections');
    const keyVariables = new Set(
      [...used].map((name) => {
        const definition = document.connections?.[name];
        assert.ok(definition?.apiKeyEnv, `connection ${name} names its API key's variable`);
        return definition.apiKeyEnv;
      }),
    );
    assert.equal(keyVariables.size, 2, 'two distinct API-key variables');
    for (const name of used) {
      const key = values.get(document.connections![name]!.apiKeyEnv!)!;
      assert.ok(
        namespaces.connections.get(name)!.temporal.secrets.includes(key),
        `${name}'s key is read from its variable`,
      );
    }
  });

  it('holds no secret inline: every secret is a variable name, and its value only in the environment', () => {
    const config = loadConfig(env);
    assert.ok(values.size >= 3, 'two API keys and the codec authorization are named');
    for (const [name, value] of values) {
      assert.match(name, /^[A-Z][A-Z0-9_]*$/);
      assert.ok(!text.includes(value), `the value of ${name} is not in the block`);
      assert.ok(config.secrets.includes(value), `${name}'s value is redacted everywhere`);
    }
    // The schema refuses inline secrets by name; the block also holds nothing that looks like one.
    assert.doesNotMatch(text, /\b(apiKey|password|token|authorization)\s*:/i);
    assert.doesNotMatch(text, /-----BEGIN|Bearer\s+[A-Za-z0-9._~+/-]{8,}/);
    assert.throws(
      () =>
        parseDefinitionDocument(
          text.replace('apiKeyEnv: PAYMENTS_TEMPORAL_API_KEY', 'apiKey: tsk_inline_key'),
          'x',
          namespacesFileSchema,
        ),
      /unknown field "apiKey"/,
    );
  });
});
