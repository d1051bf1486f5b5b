/** Tests run the real server over HTTP on real PostgreSQL; each test file gets its own database. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
    // The mljs packages (ml-kmeans and its helpers) ship ES modules only: compile them to CommonJS for Jest.
    '^.+/node_modules/(ml-[^/]+|is-any-array)/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(ml-|is-any-array/))'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFiles: ['<rootDir>/test/support/pg-boss-jest.ts'],
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // A budget, not a measurement: generous so that a test on a machine loaded many times over is slow, not red.
  testTimeout: 120000,
  maxWorkers: 2,
  // A worker's heap grows with every file it runs (each file loads the app afresh), to ~1 GB by the end of the suite;
  // tearing down such a heap took longer than the 500 ms Jest waits for a worker to exit ("A worker process has
  // failed to exit gracefully"). A worker past this size is replaced after its file, so none gets there.
  workerIdleMemoryLimit: '768MB',
};
