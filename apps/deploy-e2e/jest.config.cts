module.exports = {
  displayName: 'deploy-e2e',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  // Starts the built api, a stand-in auth service and a real nginx; streams are slow by design.
  testTimeout: 30_000,
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js'],
};
