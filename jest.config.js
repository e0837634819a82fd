// Classic CommonJS Jest (NestJS 11 is CommonJS), TypeScript compiled by @swc/jest (about 1.5x faster than
// ts-jest here). swc does not type-check: `npm test` runs tsc first (test/support/run-tests.js).
const swc = (syntax) => [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax, decorators: true },
      // Nest's dependency injection needs design:paramtypes metadata.
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': swc('typescript'),
    // @fastify/static 10 require()s content-disposition 3, which is ESM-only. Node >= 20.19 loads it
    // (require(esm)), Jest's CommonJS runtime cannot before Node 24.9: compile it to CommonJS for tests.
    '/node_modules/content-disposition/.+\\.js$': swc('ecmascript'),
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
