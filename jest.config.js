// Jest for every package: one project per folder, each compiled with its own tsconfig by ts-jest.
// The global setup starts the test database once per run (server/test/harness/global-setup.ts).
const fs = require('node:fs');

const shared = { '^@fapiao/shared$': '<rootDir>/shared/src/index.ts', '^@fapiao/shared/contract$': '<rootDir>/shared/src/contract/index.ts' };

// Without Chromium (scripts/ensure-chromium.sh could not install it) and outside CI, the browser
// tests are left out with a message instead of failing; in CI they always run.
const CHROMIUM = '/usr/bin/chromium';
const skipBrowserTests = !process.env.CI && !fs.existsSync(CHROMIUM);
if (skipBrowserTests) process.stderr.write(`[jest] ${CHROMIUM} is missing: skipping the browser tests (*.browser.test.ts); scripts/ensure-chromium.sh says how to install it\n`);

const ignored = ['/node_modules/', '/dist/', '/.data/', '/.venv/', ...(skipBrowserTests ? ['\\.browser\\.test\\.ts$'] : [])];

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
    testPathIgnorePatterns: ignored,
    ...extra,
  };
}

/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/server/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/server/test/harness/global-teardown.ts',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/server/tsconfig.json' }] },
  testPathIgnorePatterns: ignored,
  projects: [
    project('shared', 'shared', 'shared/tsconfig.json'),
    project('server', 'server', 'server/tsconfig.json'),
    project('scripts', 'scripts', 'scripts/tsconfig.json'),
    project('miniprogram', 'miniprogram', 'miniprogram/tsconfig.test.json', {
      testEnvironment: 'jsdom',
      testPathIgnorePatterns: [...ignored, '/miniprogram_npm/'],
    }),
  ],
  testTimeout: 60000,
  maxWorkers: 2,
};
