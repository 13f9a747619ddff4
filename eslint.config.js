import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const electronBan = {
  name: 'electron',
  message: 'main/core and shared run under plain Node: inject what you need from main/.',
};
const nodeBuiltinBan = {
  group: ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'net', 'http', 'https', 'url'],
  message: 'shared/ is imported by the renderer: no Node built-ins.',
};

const zodBan = {
  group: ['zod', 'zod/*'],
  message:
    "Import zod as `import * as z from '…/main/core/util/zod.ts'` (zod/mini with English messages): the classic build costs ~10 MB resident.",
};
const electronSubpathBan = { group: ['electron/*'], message: electronBan.message };

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'release/',
      '.cache/',
      'test-results/',
      'playwright-report/',
      'stubs/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  ...svelte.configs['flat/recommended'].map((config) =>
    config.files ? config : { ...config, files: ['**/*.svelte', '**/*.svelte.ts'] },
  ),
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  {
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [zodBan] }],
      // A function a reader can hold in view: composition roots are tables of named steps.
      'max-lines-per-function': [
        'error',
        { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true },
      ],
    },
  },
  {
    files: ['main/core/**/*.ts', 'main/cli.ts', 'main/cli/**/*.ts', 'main/preview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electronBan], patterns: [electronSubpathBan, zodBan] },
      ],
    },
  },
  {
    files: ['main/core/util/zod.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electronBan], patterns: [electronSubpathBan] }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electronBan], patterns: [nodeBuiltinBan, zodBan] },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { paths: [electronBan], patterns: [nodeBuiltinBan] }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
);
