// Native ESM Jest (Nest 12 is ESM-only); swc compiles TypeScript with legacy
// decorators and metadata, which Nest, TypeORM and class-validator rely on.
export default {
  testEnvironment: 'node',
  rootDir: '.',
  // bench/'s one spec checks the verdicts of npm run bench, not the bench itself (never run in tests).
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/bench/**/*.spec.js'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // @fastify/static require()s content-disposition, which ships ESM only: Node >= 20.19 loads
  // that natively, Jest (before Node 24.9) does not, so that one package is compiled to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  transform: {
    '/node_modules/content-disposition/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
        },
        module: { type: 'es6' },
      },
    ],
  },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  testTimeout: 30000,
};
