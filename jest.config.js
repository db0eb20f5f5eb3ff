/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Integration suites drive real Terraform, moto and podman: generous, bounded timeouts.
  testTimeout: 120000,
  // Two cores: running the heavy suites side by side slows every one of them down.
  maxWorkers: 2,
  verbose: false,
};
