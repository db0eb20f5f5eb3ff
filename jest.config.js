/**
 * ESM-only dependencies (@actions/* 3.x+, Octokit 7+ and theirs) go through ts-jest too, turned
 * into CommonJS like our sources; every other package in node_modules is loaded as shipped.
 */
const ESM_ONLY_PACKAGES = [
  '@actions',
  '@octokit',
  'universal-user-agent',
  'before-after-hook',
  'json-with-bigint',
  'content-type',
];

// Transpile only: `npm run typecheck` type-checks the tests with the sources, so ts-jest need not
// build a language service per run (a quarter of a unit pass's CPU on two cores).
const COMMONJS = { module: 'commonjs', moduleResolution: 'node10', isolatedModules: true };

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  // tsconfig.json describes the bundle (ESM, bundler resolution); Jest runs CommonJS.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: COMMONJS }],
    '^.+\\.js$': ['ts-jest', { tsconfig: { ...COMMONJS, allowJs: true } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_PACKAGES.join('|')})/)`],
  // Packages that export only an `import` entry resolve to it (see the resolver).
  resolver: '<rootDir>/scripts/jest-resolver.cjs',
  // Integration suites drive real Terraform, moto and podman: generous, bounded timeouts.
  testTimeout: 120000,
  // Two cores: running the heavy suites side by side slows every one of them down.
  maxWorkers: 2,
  verbose: false,
};
