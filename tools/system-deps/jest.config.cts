module.exports = {
  displayName: 'system-deps',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  // The sources are plain CommonJS (.cjs), run by Node as they are: only the specs are compiled.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'cjs'],
  coverageDirectory: '../../coverage/tools/system-deps',
};
