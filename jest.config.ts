/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// Tests run as native ESM (libxml2-wasm is ESM-only with top-level await), transpiled by swc.
// Type-checking is a separate `tsc` step in `npm test`.
const config: Config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
      },
    ],
  },
  moduleNameMapper: {
    // Relative imports name the emitted file (`./route.js`, as nodenext requires); in tests they
    // resolve to the TypeScript source beside it.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^@organism/(xml|schema|core|llm|server|nats|cli)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/examples/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
  // What tests spawn (the CLI, the XML worker) runs the packages' dist/: built first.
  globalSetup: '<rootDir>/test/buildPackages.cjs',
  reporters: ['default', '<rootDir>/.ci/summary-reporter.cjs'],
};
export default config;
