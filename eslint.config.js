// @ts-check
const tseslint = require('typescript-eslint');
const js = require('@eslint/js');

/** Workflows must stay deterministic: no Node built-ins, no I/O packages, only domain/ and @temporalio/workflow. */
const workflowBans = {
  patterns: [
    { group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'timers'], message: 'workflow code must be deterministic: no Node built-ins (do I/O in an activity)' },
    { group: ['pg', 'express', 'pino', 'nodemailer', 'twilio', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '../../db/*', '../../api/*', '../../runtime/*', '../db/*', '../api/*', '../runtime/*'], message: 'workflow code may import only @temporalio/workflow, domain/ and types of activities' },
  ],
};

module.exports = tseslint.config(
  { ignores: ['test/summary-reporter.js', 'dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'eslint.config.js', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-empty-object-type': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', workflowBans],
      // Activity code is imported for its types only (import type), never for values.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', disallowTypeAnnotations: false }],
    },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
  {
    files: ['domain/**/*.ts'],
    ignores: ['domain/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', workflowBans] },
  },
);
