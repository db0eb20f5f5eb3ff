import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Node's built-ins by their bare names ('fs', 'fs/promises'): imported as 'node:fs' instead. */
const BARE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_') && !name.includes(':'));

/** Every TypeScript file's import rules; a folder's house rules below add their own patterns. */
const IMPORT_STYLE = {
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
};

/** no-restricted-imports replaces, never merges, per file: each folder's rule repeats the style. */
function restrictImports(...patterns) {
  return ['error', { paths: IMPORT_STYLE.paths, patterns: [...IMPORT_STYLE.patterns, ...patterns] }];
}

/** The stages: one folder each, a pure core beside thin adapters, entered only through its index. */
const STAGES = ['comment', 'fleet', 'image', 'release', 'report', 'rollout', 'scale', 'terraform'];
const STAGE_GROUP = STAGES.join('|');

/** A stage's `settings` module is its public, dependency-free contract, like its index. */
const STAGE_INTERNALS = {
  regex: `^\\.\\./(${STAGE_GROUP})/(?!settings$).+`,
  message: "Stages meet at their index: import '../<stage>' (or its settings), not a file inside it.",
};
/** Only the commands and main.ts know the inputs; below them, a stage takes its own settings type. */
const INPUT_PARSER = {
  regex: '^\\.{1,2}/(inputs|commands|main)(/.*)?$',
  message: 'Below src/commands/ nothing reads the inputs: take the stage settings type from the caller.',
};

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
      'no-restricted-imports': restrictImports(),
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
  {
    // The house's walls (__tests__/README.md, "The house"): a stage reaches another stage only
    // through its index or settings, and nothing below the commands imports the input parser.
    files: STAGES.map((stage) => `src/${stage}/**/*.ts`),
    rules: { 'no-restricted-imports': restrictImports(STAGE_INTERNALS, INPUT_PARSER) },
  },
  {
    // The ground floor (aws/, clock, log, poll, runClock, ...) serves every stage and knows none.
    files: ['src/*.ts', 'src/aws/**/*.ts'],
    ignores: ['src/main.ts', 'src/index.ts'],
    rules: {
      'no-restricted-imports': restrictImports(
        { regex: `^\\.{1,2}/(${STAGE_GROUP})(/.*)?$`, message: 'The ground floor imports no stage.' },
        INPUT_PARSER,
      ),
    },
  },
  {
    // The commands take stages by their index; the two modules a command loads only on a failure
    // path or without Terraform (rollout/appLog, scale/stack) are named lazy entries. The input
    // parser is read through its index.
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': restrictImports(
        {
          regex: `^\\.\\./(${STAGE_GROUP})/(?!settings$|appLog$|stack$).+`,
          message: STAGE_INTERNALS.message,
        },
        { regex: '^\\.\\./inputs/.+', message: "Import the input parser's index, '../inputs'." },
      ),
    },
  },
  {
    // The size budget (__tests__/README.md): a file reads in one sitting and a function at one
    // glance. Blank lines and comments do not count. Tests are tables and scenarios, and exempt.
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 70, skipBlankLines: true, skipComments: true }],
    },
  },
);
