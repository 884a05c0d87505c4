// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.tsbuild/**',
      '**/test-results/**',
      '**/playwright-report/**',
      '.data/**',
      'bench-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    // Library code logs through named `debug` loggers; CLIs and scripts talk to their user.
    files: [
      'scripts/**',
      'packages/worker/src/cli.ts',
      'packages/worker/bin/**',
      'apps/signaling/src/main.ts',
      'apps/signaling/src/stack.ts',
      'apps/signaling/src/sign-cli.ts',
      'e2e/**',
      '**/*.bench.ts',
      'packages/worker/bench/**',
    ],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['scripts/**/*.{js,mjs}', 'packages/worker/bin/**/*.js'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['apps/player/**/*.{ts,tsx}', 'apps/admin/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: reactHooks.configs.recommended.rules,
  },
  prettier,
);
