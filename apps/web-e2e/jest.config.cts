module.exports = {
  displayName: 'web-e2e',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  // A real api and a real browser per file; replies stream at a human pace.
  testTimeout: 60_000,
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js'],
};
