/** Jest runs the TypeScript tests through ts-jest; each file gets its own process-free module registry. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: { warnOnly: false } }] },
  testTimeout: 120000,
  maxWorkers: 2,
};
