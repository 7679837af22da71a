import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'bench/results/', '.data/', '.temporal-sync-dev/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': 'off',
    },
  },
  {
    // Workflow code is replayed: no I/O, no environment, no wall clock beyond Temporal's.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['pg', 'fs', 'node:fs', 'http', 'https', '@temporalio/client', '@temporalio/worker'],
          patterns: [
            { group: ['../db/*', '../source/*', '../temporal/*'], message: 'workflow code must stay deterministic' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval'],
    },
  },
);
