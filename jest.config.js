// Jest for every package: one project per folder, each compiled with its own tsconfig by ts-jest.
// The global setup starts the test database once per run (server/test/harness/global-setup.ts).
const shared = { '^@fapiao/shared$': '<rootDir>/shared/src/index.ts' };

/** One jest project: the tests under `root`, compiled with `tsconfig`. */
function project(displayName, root, tsconfig, extra = {}) {
  return {
    displayName,
    testEnvironment: 'node',
    roots: [`<rootDir>/${root}`],
    testMatch: ['**/*.test.ts'],
    transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: `<rootDir>/${tsconfig}` }] },
    moduleNameMapper: shared,
    setupFiles: ['<rootDir>/server/test/harness/property-seed.ts'],
    ...extra,
  };
}

/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/server/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/server/test/harness/global-teardown.ts',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/server/tsconfig.json' }] },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/', '/.venv/'],
  projects: [
    project('shared', 'shared', 'shared/tsconfig.json'),
    project('server', 'server', 'server/tsconfig.json'),
    project('scripts', 'scripts', 'scripts/tsconfig.json'),
    project('miniprogram', 'miniprogram', 'miniprogram/tsconfig.test.json', {
      testEnvironment: 'jsdom',
      testPathIgnorePatterns: ['/node_modules/', '/miniprogram_npm/'],
    }),
  ],
  testTimeout: 60000,
  maxWorkers: 2,
};
