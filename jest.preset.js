// Shared jest settings: every package runs its *.test.ts files (next to the sources) with ts-jest.
// Type checking is done by each package's `typecheck` target (tsc), so ts-jest only transpiles:
// `isolatedModules: true` in tsconfig.base.json makes it compile each file on its own (the place
// ts-jest 29.4 wants the setting; its own `isolatedModules` option is deprecated).
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  reporters: ['default', require.resolve('./tools/jest-summary-reporter.js')],
};
