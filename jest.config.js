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
  // A worker's heap grows with every file it runs (each file loads the app afresh), to ~1 GB by the end of the suite,
  // and every full run warned "A worker process has failed to exit gracefully": the workers had no handle left and
  // ran their 'exit' handlers within 1 ms, but freeing such a heap outlasted the 500 ms Jest waits (a 770 MB heap took
  // 150 ms after 'exit' on this machine, 370 ms beside a busy loop per core). So a worker past 768 MB is replaced
  // after its file, and an exiting worker gets 5 s; one that leaks a handle is still killed, and warned about.
  workerIdleMemoryLimit: '768MB',
  workerGracefulExitTimeout: 5000,
};
