import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** node:test's suite functions return promises the runner itself awaits. */
const nodeTestCalls = [
  {
    from: 'package',
    package: 'node:test',
    name: ['describe', 'it', 'test', 'before', 'after', 'beforeEach', 'afterEach', 'suite'],
  },
];

/** Text that reads as an SQL statement. */
const SQL_TEXT = String.raw`/\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|VIEW|SCHEMA)|ALTER\s+TABLE|DROP\s+(TABLE|SCHEMA)|SELECT\s+now\(\)|^\s*SELECT\s+\d)\b/i`;

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'bench/results/',
      '.data/',
      '.temporal-sync-dev/',
      'test-artifacts/',
      'bench/cloud-source/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: nodeTestCalls }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Functions that read as one story; a longer one is two things.
    files: ['src/**/*.ts'],
    ignores: ['src/workflows/legacy/**'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }] },
  },
  {
    // Persistence lives in src/db/: one module per table, and no SQL anywhere else in the product.
    files: ['src/**/*.ts'],
    ignores: ['src/db/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['Literal', 'TemplateElement'].map((node) => ({
          selector: `${node}[${node === 'Literal' ? 'value' : 'value.raw'}=${SQL_TEXT}]`,
          message: 'SQL text belongs in src/db/ (one module per table)',
        })),
      ],
    },
  },
  {
    // Workflow code is replayed: no I/O, no environment, no wall clock beyond Temporal's.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'pg',
            '@temporalio/client',
            '@temporalio/worker',
            ...builtinModules,
            ...builtinModules.map((name) => `node:${name}`),
          ].map((name) => ({
            name,
            message: 'workflow code must stay deterministic: no Node built-ins, no I/O clients',
          })),
          patterns: [
            {
              group: ['../db/*', '../source/*', '../temporal/*', '../streams/*'],
              message: 'workflow code must stay deterministic',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval'],
    },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
);
