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
  // highlight.js's CommonJS grammars have no `default` export, which a spec (compiled without
  // `esModuleInterop`) would read: load the ES module build that the app's bundle uses instead.
  moduleNameMapper: {
    '^highlight\\.js/lib/languages/(.*)$':
      '<rootDir>/../../node_modules/highlight.js/es/languages/$1.js',
  },
  // `marked` and those grammars ship as ES modules, so they are transformed like `.mjs` files.
  // The environment is plain CommonJS for Node: transforming it would also make ts-jest, not
  // jest-preset-angular, the first to set up (and cache) this project's compiler config.
  transformIgnorePatterns: [
    'node_modules/(?!(marked)/|highlight\\.js/es/|.*\\.mjs$)',
    '/jest\\.environment\\.cjs$',
  ],
  snapshotSerializers: [
    'jest-preset-angular/build/serializers/no-ng-attributes',
    'jest-preset-angular/build/serializers/ng-snapshot',
    'jest-preset-angular/build/serializers/html-comment',
  ],
};
