import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Node's built-ins by their bare names ('fs', 'fs/promises'): imported as 'node:fs' instead. */
const BARE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_') && !name.includes(':'));

export default tseslint.config(
  // Flat-config ignores are relative to this file, so these name top-level directories only
  // (unlike a .prettierignore line without a leading slash); __tests__/lint-coverage.test.ts checks both.
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.venv/', '.venv-tools/', 'app/', 'terraform/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
    },
  },
  {
    // One import style for every TypeScript file: Node built-ins with the node: prefix; named
    // imports (a namespace only for @actions/core, as its docs write core.info; no default
    // imports); `import type` when every name is a type, inline `type` for the types of a mixed
    // import; one import per module; relative paths without an extension.
    files: ['**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: BARE_BUILTINS.map((name) => ({
            name,
            message: `Import Node's built-ins with the node: prefix ('node:${name}').`,
          })),
          patterns: [
            {
              regex: '^\\.{1,2}/.*\\.[cm]?[jt]s$',
              message: 'Import a relative module without its extension.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value!='@actions/core'] > ImportNamespaceSpecifier",
          message: 'Import names ({ a, b }); only @actions/core is imported as a namespace (core).',
        },
        {
          selector: 'ImportDefaultSpecifier',
          message: 'Import names ({ a, b }), not a default export.',
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      'no-duplicate-imports': ['error', { includeExports: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly' },
    },
  },
  {
    // Tests and the emulation they share with the demo and the benches read back what they seeded
    // or asserted themselves: a missing value there is a failed test, not a case to handle.
    files: ['__tests__/**/*.ts', 'emulation/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
