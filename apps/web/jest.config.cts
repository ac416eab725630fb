module.exports = {
  displayName: 'web',
  preset: '../../jest.preset.js',
  // jsdom plus Node's ReadableStream, TextEncoder/TextDecoder and Response (see the file).
  testEnvironment: '<rootDir>/jest.environment.cjs',
  setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
  coverageDirectory: '../../coverage/apps/web',
  transform: {
    '^.+\\.(ts|mjs|js|html)$': [
      'jest-preset-angular',
      {
        tsconfig: '<rootDir>/tsconfig.spec.json',
        stringifyContentPathRegex: '\\.(html|svg)$',
      },
    ],
  },
  // The environment is plain CommonJS for Node: transforming it would also make ts-jest, not
  // jest-preset-angular, the first to set up (and cache) this project's compiler config.
  transformIgnorePatterns: ['node_modules/(?!.*\\.mjs$)', '/jest\\.environment\\.cjs$'],
  snapshotSerializers: [
    'jest-preset-angular/build/serializers/no-ng-attributes',
    'jest-preset-angular/build/serializers/ng-snapshot',
    'jest-preset-angular/build/serializers/html-comment',
  ],
};
