/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // tests/soak/ (kill -9 and SIGSTOP trials, other users, clock skew): `npm run test:soak`, which CI also runs.
  testPathIgnorePatterns: ['/node_modules/', '/tests/soak/'],
  // Integration tests start servers and browsers; one worker per core is plenty on CI's 2 cores.
  maxWorkers: 2,
  testTimeout: 60000,
  setupFiles: ['<rootDir>/tests/support/jest-setup.ts'],
  // Finds (or installs) the Chromium the browser tests drive, once, before any test.
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
};
