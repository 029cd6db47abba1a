import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// The layering of ARCHITECTURE §3, held by the linter: which folder may import what at runtime. Type-only
// imports carry no I/O and stay allowed.
const notTheSandbox = {
  regex: '^(\\.\\./)+(sandbox|bench|test)(/|$)',
  message: 'Production code never imports the Kaspi sandbox, the benchmarks or the tests.',
};
const layerRule = (...patterns) => ['error', { patterns: [notTheSandbox, ...patterns] }];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'bench/results/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': layerRule() },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins and no I/O.
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layerRule(
        {
          regex: '^(?!@temporalio/(workflow|common)$)(?!\\.{1,2}/)',
          allowTypeImports: true,
          message:
            'Workflows import only @temporalio/workflow at runtime: reach databases and networks through activities.',
        },
        {
          regex: '^\\.\\./(?!domain(/|$))',
          allowTypeImports: true,
          message:
            'Workflows import domain/ and each other at runtime; activities and other modules only as types (import type).',
        },
      ),
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'Read configuration in activities and pass values to workflows.' },
        { name: 'setInterval', message: 'Use sleep() or condition() from @temporalio/workflow.' },
      ],
    },
  },
  {
    // Pure logic: no I/O and no clock, so it can be unit-tested and called from workflows.
    files: ['src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': layerRule({
        regex: '^(?!zod$)(?!\\./)',
        allowTypeImports: true,
        message: 'domain/ is pure: it imports zod and other domain modules, anything else only as types.',
      }),
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'domain/ takes configuration as arguments.' },
        { name: 'fetch', message: 'domain/ does no I/O.' },
        { name: 'setTimeout', message: 'domain/ does not wait: callers schedule.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'domain/ reads no clock: take the time as an argument.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'domain/ reads no clock: take the time as an argument.',
        },
      ],
    },
  },
  {
    files: [
      'src/main.ts',
      'scripts/**',
      'bench/**',
      'sandbox/cli.ts',
      'sandbox/demo.ts',
      'src/**/cli.ts',
      'src/**/*-cli.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  {
    // The web cabinet runs in browsers.
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['web/src/api/schema.d.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['eslint.config.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
